/** A client of the dashboard's emulation lab (WS /api/emulate, sim/server/emulate-routes.ts) for the server tests. */
import { WebSocket } from 'ws';
import type { EmulateEvent } from '../../sim/server/emulate-types.ts';

/** A socket on /api/emulate that keeps every event and can wait for one. */
export async function lab(url: string) {
  const ws = new WebSocket(new URL('api/emulate', url.replace('http', 'ws')));
  const events: EmulateEvent[] = [];
  const waiters: { pred: (e: EmulateEvent) => boolean; res: (e: EmulateEvent) => void }[] = [];
  ws.on('message', (d) => {
    const e = JSON.parse(d.toString()) as EmulateEvent;
    events.push(e);
    for (const w of waiters.filter((x) => x.pred(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.res(e);
    }
  });
  await new Promise((res) => ws.once('open', res));
  const next = <T extends EmulateEvent['type']>(type: T, pred: (e: Extract<EmulateEvent, { type: T }>) => boolean = () => true, ms = 15_000) =>
    new Promise<Extract<EmulateEvent, { type: T }>>((res, rej) => {
      const seen = events.find((e) => e.type === type && pred(e as Extract<EmulateEvent, { type: T }>));
      if (seen) return res(seen as Extract<EmulateEvent, { type: T }>);
      const t = setTimeout(() => rej(new Error(`no '${type}' event within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`)), ms);
      waiters.push({ pred: (e) => e.type === type && pred(e as Extract<EmulateEvent, { type: T }>), res: (e) => (clearTimeout(t), res(e as Extract<EmulateEvent, { type: T }>)) });
    });
  return { ws, events, next, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}
