/**
 * Free loopback ports for the peers a test starts (RULES: never a fixed port — other engineers
 * run the same tests on this machine at the same time). A port is found by binding port 0 and
 * releasing it; a peer that then loses the race fails to bind, and the caller retries.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

const HOST = '127.0.0.1';

function tcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(port, HOST, () => s.close(() => res(true)));
  });
}

/** A port free on 127.0.0.1 for TCP and UDP both (SIP listens on both with one number). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await tcpPort();
    if (await udpFree(p)) return p;
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 after 20 tries');
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
