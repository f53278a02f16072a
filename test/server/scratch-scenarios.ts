import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../reglab-process.ts';

/**
 * A fresh temporary folder whose scenarios/ holds learn/request-response.yaml only: a server started
 * on `join(dir, 'scenarios')` lists one scenario, and files beside scenarios/ lie outside what the
 * server may read. The caller removes the folder.
 */
export function scratchScenarios(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'scenarios/learn'), { recursive: true });
  copyFileSync(join(ROOT, 'scenarios/learn/request-response.yaml'), join(dir, 'scenarios/learn/request-response.yaml'));
  return dir;
}
