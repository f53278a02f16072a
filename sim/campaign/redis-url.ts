import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { CampaignError } from './campaign-error.ts';

/** A parsed `--queue redis://[user:password@]HOST:PORT[/DB]`. */
export interface QueueUrl {
  /** For messages: the URL with its password replaced by ***. Never print anything else. */
  shown: string;
  options: RedisOptions;
}

/** Redis ≥ 6.2: BullMQ's scripts need it. */
const MIN_REDIS = [6, 2];
/** The whole connect + check must answer within this (the CLI promises an error within 5 s). */
const PREFLIGHT_MS = 4000;

export function parseQueueUrl(text: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CampaignError('E_QUEUE', `--queue ${redactText(text)}: not a URL — expected redis://[user:password@]HOST:PORT[/DB]`);
  }
  const shown = redactUrl(u);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new CampaignError('E_QUEUE', `--queue ${shown}: expected a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)`);
  }
  if (!u.hostname) throw new CampaignError('E_QUEUE', `--queue ${shown}: no host — expected redis://HOST:PORT`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^[0-9]{1,2}$/.test(db)) throw new CampaignError('E_QUEUE', `--queue ${shown}: the path must be a database number (redis://HOST:PORT/0)`);
  const options: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    db: db === '' ? 0 : Number(db),
  };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return { shown, options };
}

function redactUrl(u: URL): string {
  if (!u.password) return u.href.replace(/\/$/, '');
  const c = new URL(u.href);
  c.password = '***';
  return c.href.replace(/\/$/, '');
}

/** For text that does not even parse: hide anything between '//' … ':' and '@'. */
function redactText(text: string): string {
  return text.replace(/(\/\/[^/@:]*:)[^@/]*@/, '$1***@');
}

/**
 * Connects once, fails fast: a clear error naming the (redacted) URL within PREFLIGHT_MS rather
 * than a client that retries forever. Checks the server's version.
 */
export async function preflight(q: QueueUrl): Promise<void> {
  const client = new Redis({ ...q.options, lazyConnect: true, connectTimeout: PREFLIGHT_MS - 500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {}); // reported below, once
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      (async () => {
        await client.connect();
        return client.info('server');
      })(),
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`no answer within ${PREFLIGHT_MS / 1000} s`)), PREFLIGHT_MS);
      }),
    ]);
    const v = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (v && (Number(v[1]) < MIN_REDIS[0] || (Number(v[1]) === MIN_REDIS[0] && Number(v[2]) < MIN_REDIS[1]))) {
      throw new CampaignError('E_QUEUE', `--queue ${q.shown}: Redis ${v[1]}.${v[2]} is too old — BullMQ needs Redis ≥ ${MIN_REDIS.join('.')}`);
    }
  } catch (err) {
    if (err instanceof CampaignError) throw err;
    const e = err as Error & { code?: string };
    const why = e.code ?? e.message.split('\n')[0];
    throw new CampaignError('E_QUEUE', `--queue ${q.shown}: cannot reach Redis (${scrub(why, q)}) — start redis-server there or fix the URL`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** A password must never be printed, even inside a client's own error text. */
export function scrub(text: string, q: QueueUrl): string {
  const pw = q.options.password;
  return pw ? text.split(pw).join('***') : text;
}

/** The connection options BullMQ's long-lived clients use: reconnect forever (Redis restarts). */
export function bullConnection(q: QueueUrl): ConnectionOptions {
  const o: RedisOptions = { ...q.options, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
  return o as ConnectionOptions;
}
