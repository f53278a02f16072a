/**
 * The scenarios folder as the dashboard sees it: a listing for GET /api/scenarios, and the one
 * place a client-supplied scenario path becomes a file path (confined to the folder).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import type { ScenarioInfo } from './api-types.ts';
import { API_ERRORS, ApiError } from './errors.ts';

/** The groups in the order a newcomer should meet them (DESIGN: scenarios/ layout). */
export const SCENARIO_GROUPS = ['learn', 'sizing', 'ffs', 'emulate'] as const;

const YAML_FILE = /\.ya?ml$/i;

/**
 * Every *.yaml under `dir`, grouped by first folder (learn, sizing, ffs, emulate first, then any
 * other folder alphabetically, then files at the top level as group ''), sorted by path within a group.
 * A file whose YAML cannot be read is still listed, with the reason as its description, so the
 * user sees it and running it shows the loader's full error.
 */
export async function listScenarios(dir: string): Promise<ScenarioInfo[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile() && YAML_FILE.test(d.name))
    .map((d) => toPosix(relative(dir, join(d.parentPath, d.name))))
    .filter((p) => !p.split('/').some((part) => part.startsWith('.')));
  const infos = await Promise.all(files.map((p) => describeScenario(dir, p)));
  return infos.sort((a, b) => groupRank(a.group) - groupRank(b.group) || a.group.localeCompare(b.group) || a.path.localeCompare(b.path));
}

async function describeScenario(dir: string, path: string): Promise<ScenarioInfo> {
  const parts = path.split('/');
  const group = parts.length > 1 ? parts[0]! : '';
  const fallbackName = basename(path).replace(YAML_FILE, '');
  try {
    const doc: unknown = parse(await readFile(join(dir, path), 'utf8'));
    const fields = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    const name = typeof fields.name === 'string' && fields.name.trim() ? fields.name.trim() : fallbackName;
    const description = typeof fields.description === 'string' ? fields.description.trim() : '';
    return { path, group, name, description };
  } catch (e) {
    return { path, group, name: fallbackName, description: `This file cannot be read as YAML: ${firstLine((e as Error).message)}` };
  }
}

/**
 * Resolves a client-supplied scenario path to a file inside `dir`, or throws ApiError
 * (E_API) naming the `scenario` field. Refuses absolute paths, anything escaping the
 * folder (`..`, or a symlink pointing outside), files that are not .yaml/.yml, and missing files.
 */
export async function resolveScenarioPath(dir: string, scenario: string): Promise<string> {
  // The path is quoted back cut to 200 characters (JSON-escaped): an answer never grows with what was sent.
  const shown = JSON.stringify(scenario.length > 200 ? `${scenario.slice(0, 200)}…` : scenario).slice(1, -1);
  const fail = (why: string) =>
    new ApiError(API_ERRORS.E_API, `scenario: '${shown}' ${why}; use a path from GET /api/scenarios, e.g. 'learn/….yaml'`);
  if (scenario.includes('\0')) throw fail('contains a NUL character');
  if (isAbsolute(scenario) || /^[a-zA-Z]:/.test(scenario)) throw fail('is absolute; it must be relative to the scenarios folder');
  if (!YAML_FILE.test(scenario)) throw fail('is not a .yaml file');
  const root = resolve(dir);
  const full = resolve(root, scenario);
  if (!isInside(root, full)) throw fail('points outside the scenarios folder');
  let real: string;
  try {
    real = await realpath(full);
    if (!(await stat(real)).isFile()) throw new Error('not a file');
  } catch {
    throw fail('does not exist in the scenarios folder');
  }
  if (!isInside(await realpath(root), real)) throw fail('points outside the scenarios folder');
  return real;
}

/** True when `p` is `root` itself or below it (both absolute and normalized). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function groupRank(group: string): number {
  const i = (SCENARIO_GROUPS as readonly string[]).indexOf(group);
  return i >= 0 ? i : group === '' ? SCENARIO_GROUPS.length + 1 : SCENARIO_GROUPS.length;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/:\s*$/, '');
}
