import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkRunDir } from '../observe/export.ts';

/**
 * Output paths are checked before a run, not after it: a run of minutes must not end in EACCES.
 * Errors carry E_OUT_DIR and say what to do.
 */
function outError(message: string): Error {
  return Object.assign(new Error(message), { code: 'E_OUT_DIR' });
}

/**
 * mkdir -p one level at a time. Node's own `recursive: true` spins forever under /proc (it retries
 * the ENOENT a pseudo file system answers), so the ancestors are walked by hand.
 */
export function makeDirs(dir: string, flag: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let cur = target;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw outError(`${flag} ${dir}: cannot use ${cur} (${code}) — choose a directory you can write to`);
      missing.push(cur);
      const up = dirname(cur);
      if (up === cur) break;
      cur = up;
      continue;
    }
    if (!st.isDirectory()) throw outError(`${flag} ${dir}: ${cur} is a file, not a directory — choose another path`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw outError(`${flag} ${dir}: cannot create ${d} (${code}) — choose a directory you can write to`);
    }
  }
}

/** A directory that will receive files: created now, and proven writable by writing a probe file. */
export function prepareWritableDir(dir: string, flag = '--out'): void {
  makeDirs(dir, flag);
  const probe = join(resolve(dir), `.reglab-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw outError(`${flag} ${dir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}) — choose a directory you can write to`);
  }
}

/** `--out DIR` of `run`: a new, empty or earlier run directory, and writable. */
export function prepareRunDir(dir: string): void {
  checkRunDir(dir);
  prepareWritableDir(dir);
}

/** Writes one output file (its directory made first), turning file-system errors into one-line E_OUT_DIR. */
export function writeOutFile(file: string, text: string, flag = '--out'): void {
  makeDirs(dirname(resolve(file)), flag);
  try {
    accessSync(dirname(resolve(file)), constants.W_OK);
    writeFileSync(file, text);
  } catch (err) {
    throw outError(`${flag} ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}) — choose a path you can write to`);
  }
}
