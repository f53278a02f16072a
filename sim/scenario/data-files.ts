import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { isInsideDir } from './paths.ts';

/** Largest scenario file read (a scenario is a few KB; 4 MB is room for long variant lists). */
export const MAX_SCENARIO_BYTES = 4 * 2 ** 20;
/** Largest file a scenario may reference (a CSV replay of a few million rows). */
export const MAX_DATA_FILE_BYTES = 128 * 2 ** 20;

/**
 * The folder files a scenario references must lie in (issue 11 item 2): the operator's choice, else
 * the nearest enclosing `scenarios` folder, else the scenario file's own folder.
 */
export function defaultDataDir(scenarioPath: string): string {
  const abs = resolve(scenarioPath);
  const parts = abs.split(sep);
  const at = parts.lastIndexOf('scenarios');
  return at > 0 ? parts.slice(0, at + 1).join(sep) : dirname(abs);
}

/**
 * Reads a regular file of at most `limit` bytes, or returns why not as a problem ending in the fix.
 * Never follows the file out of `root` (symlinks are resolved first), never reads a device or FIFO.
 */
export function readConfinedFile(file: string, root: string, limit: number): { text: string } | { problem: string } {
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(file);
    realRoot = realpathSync(root);
  } catch (err) {
    return { problem: `not found (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}) — give a path relative to the scenario file, inside ${root}` };
  }
  if (!isInsideDir(realRoot, real)) return { problem: `is outside ${root}, the folder referenced files must lie in — move it there (reglab serve --data-dir names another folder)` };
  return readRegularFile(real, limit);
}

/** A regular file's text, refusing directories, devices, FIFOs and files over `limit` bytes. */
export function readRegularFile(file: string, limit: number): { text: string } | { problem: string } {
  let fd: number | undefined;
  try {
    const st = statSync(file);
    if (!st.isFile()) return { problem: `is not a regular file (${st.isDirectory() ? 'a directory' : 'a device, FIFO or socket'}) — name a file` };
    if (st.size > limit) return { problem: `is ${st.size} bytes, more than the ${limit} allowed — split it or trim it` };
    // Read at most limit + 1 bytes: a file that grows while read is still bounded.
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let n = 0;
    for (let k; n < buf.length && (k = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += k;
    if (n > limit) return { problem: `is more than the ${limit} bytes allowed — split it or trim it` };
    return { text: buf.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
