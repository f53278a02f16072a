import { isAbsolute, relative, sep } from 'node:path';

/** True when `p` is `root` itself or below it (both absolute and normalized). */
export function isInsideDir(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
