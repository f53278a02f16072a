/**
 * What the campaign benchmarks share: their own redis-server and `reglab worker` processes, started
 * and stopped by PID (never by name), and Redis's own count of the commands it served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis } from '../test/campaign/redis-server.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export { startRedis, type TestRedis };

export async function startWorkers(url: string, n: number, concurrency = 1): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const p = spawn(process.execPath, ['bin/reglab.mjs', 'worker', '--queue', url, '--concurrency', String(concurrency), '-q'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      return new Promise<ChildProcess>((res, rej) => {
        p.stderr!.on('data', (d) => {
          text += d;
          if (/worker \S+: RegLab/.test(text)) res(p);
        });
        p.once('exit', (c) => rej(new Error(`worker exited ${c}: ${text}`)));
      });
    }),
  );
}

export async function stopAll(ps: ChildProcess[]): Promise<void> {
  await Promise.all(
    ps.map((p) => {
      if (p.exitCode !== null || p.signalCode !== null) return undefined;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      return gone;
    }),
  );
}

/** Redis's total_commands_processed (includes this call's INFO). */
export async function commandsProcessed(port: number): Promise<number> {
  const c = new Redis({ host: '127.0.0.1', port });
  const info = await c.info('stats');
  c.disconnect();
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}

export async function usedMemory(port: number): Promise<number> {
  const c = new Redis({ host: '127.0.0.1', port });
  const info = await c.info('memory');
  c.disconnect();
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}
