/**
 * The student's own SIP user agent, running in the page (issue 17 item 4): sip.js over WebSocket
 * (RFC 7118) to a node of the emulation lab. It registers its identity, subscribes to the reg event
 * (RFC 3680) of a CS subscriber's public identity, and reports every message it sends or receives
 * (for its lane in the ladder) and every NOTIFY (for the reginfo panel). sip.js is bundled by vite.
 */
import { Registerer, RegistererState, Subscriber, SubscriptionState, UserAgent, type Notification } from 'sip.js';
import { answerText, headerOf, sipKind } from './sip-text.ts';

export interface BrowserUaOptions {
  /** ws://host:port of the lab node's WebSocket listener. */
  server: string;
  /** The UA's address of record, e.g. sip:234150999999998@ims.mnc015.mcc234.3gppnetwork.org. */
  aor: string;
  /** Request-URI of the REGISTER (the home network's registrar domain). */
  registrar: string;
  /** The public identity whose reg event to watch. */
  target: string;
  /** Registration and subscription expiry, seconds. */
  expires?: number;
}

export type UaStatus = 'connecting' | 'registering' | 'registered' | 'subscribed' | 'unregistered' | 'stopped' | 'failed';

export interface BrowserUaEvents {
  /** Every SIP message on the WebSocket, as text. */
  onWire(dir: 'out' | 'in', text: string): void;
  onStatus(status: UaStatus, detail?: string): void;
  /** A NOTIFY of the reg-event subscription (accepted with 200 before this is called). */
  onNotify(text: string): void;
}

export class BrowserUa {
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private subscriber: Subscriber | undefined;

  constructor(
    private readonly o: BrowserUaOptions,
    private readonly ev: BrowserUaEvents,
  ) {}

  async join(): Promise<void> {
    const uri = UserAgent.makeURI(this.o.aor);
    const registrar = UserAgent.makeURI(this.o.registrar);
    const target = UserAgent.makeURI(this.o.target);
    if (!uri) throw new Error(`your identity: '${this.o.aor}' is not a SIP URI (sip:user@domain)`);
    if (!registrar) throw new Error(`registrar: '${this.o.registrar}' is not a SIP URI (sip:domain)`);
    if (!target) throw new Error(`watch: '${this.o.target}' is not a URI (sip:… or tel:…)`);
    const ua = new UserAgent({
      uri,
      transportOptions: { server: this.o.server, connectionTimeout: 5, keepAliveInterval: 0 },
      logBuiltinEnabled: false,
      logLevel: 'error',
      userAgentString: 'RegLab dashboard (sip.js)',
      delegate: { onDisconnect: (e) => e && this.ev.onStatus('failed', `WebSocket closed: ${e.message}`) },
    });
    this.ua = ua;
    this.tap(ua);
    this.ev.onStatus('connecting');
    await ua.start();
    this.tap(ua);

    const expires = this.o.expires ?? 600;
    this.ev.onStatus('registering');
    const registerer = new Registerer(ua, { registrar, expires });
    this.registerer = registerer;
    const registered = new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) resolve();
        if (s === RegistererState.Unregistered) reject(new Error('the registration was refused (see the answer in the ladder)'));
      });
    });
    let refused: string | undefined;
    await registerer.register({
      requestDelegate: { onReject: (r) => (refused = answerText(r.message.statusCode ?? 0, r.message.reasonPhrase ?? '', r.message.getHeader('Warning'))) },
    });
    await registered.catch((e: Error) => {
      throw new Error(refused ? `REGISTER answered ${refused}` : e.message);
    });
    this.ev.onStatus('registered');

    const subscriber = new Subscriber(ua, target, 'reg', { expires, extraHeaders: ['Accept: application/reginfo+xml'] });
    this.subscriber = subscriber;
    subscriber.delegate = {
      onNotify: (n: Notification) => {
        void n.accept();
        this.ev.onNotify(n.request.toString());
      },
    };
    subscriber.stateChange.addListener((s) => {
      if (s === SubscriptionState.Subscribed) this.ev.onStatus('subscribed');
      if (s === SubscriptionState.Terminated && this.ua) this.ev.onStatus('registered', 'the reg-event subscription ended');
    });
    // sip.js gives no reject callback for a SUBSCRIBE: its refusal is read off the wire (tap).
    await subscriber.subscribe();
  }

  /** Unsubscribes, deregisters and closes the WebSocket (each step best effort); `quiet` keeps the last status. */
  async leave(quiet = false): Promise<void> {
    const ua = this.ua;
    this.ua = undefined;
    try {
      if (this.subscriber && this.subscriber.state !== SubscriptionState.Terminated) await this.subscriber.unsubscribe();
    } catch {
      // already ended by the lab
    }
    try {
      if (this.registerer?.state === RegistererState.Registered) await this.registerer.unregister();
    } catch {
      // the lab may have gone
    }
    await ua?.stop().catch(() => {});
    if (!quiet) this.ev.onStatus('stopped');
  }

  /**
   * Reports the transport's traffic: wraps its send and the message handler the UserAgent installs
   * (called again after start, since the transport may install it on connect).
   */
  private tap(ua: UserAgent): void {
    const t = ua.transport as unknown as { send(m: string): Promise<void>; onMessage?: (m: string) => void; __tapped?: boolean; __in?: (m: string) => void };
    if (!t.__tapped) {
      const send = t.send.bind(t);
      t.send = (m: string) => {
        this.ev.onWire('out', m);
        return send(m);
      };
      t.__tapped = true;
    }
    const handler = t.onMessage;
    if (handler && handler !== t.__in) {
      const wrapped = (m: string) => {
        this.ev.onWire('in', m);
        const refusal = /^SIP\/2\.0 ([3-6]\d\d) ([^\r\n]*)/.exec(m);
        if (refusal && sipKind(m).endsWith(' SUBSCRIBE')) this.ev.onStatus('failed', `SUBSCRIBE answered ${answerText(Number(refusal[1]), refusal[2]!, headerOf(m, 'Warning'))}`);
        handler(m);
      };
      t.__in = wrapped;
      t.onMessage = wrapped;
    }
  }
}

