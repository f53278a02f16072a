/** A real socket address. */
export interface PeerAddress {
  host: string;
  port: number;
}

/** Bytes that came off a socket, before any parsing: what every transport hands the wire network. */
export interface Arrival {
  bytes: Uint8Array;
  src: PeerAddress;
  transport: 'udp' | 'tcp' | 'ws';
  /** Sends bytes back the way they came (the datagram's source, the same connection). */
  reply(b: Uint8Array): void;
  /** The stream connection it came on (for reuse: responses and later requests to that peer). */
  conn?: unknown;
  /** The stream could not be framed (no Content-Length, oversize): answer and count, never deliver. */
  framingError?: string;
}
