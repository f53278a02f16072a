/**
 * The scenario's parameters as a form built from the scenario schema (GET /api/scenario): each
 * field shows its type, unit or allowed values and the file's value; edited values become --set
 * overrides, checked by the server's loader as they are typed (the same field-level messages as
 * `reglab run --set`), so a bad value is refused before anything runs. Any other path can be
 * added as path=value.
 */
import { useState } from 'react';
import type { ParamField, ScenarioDetails } from '../../../sim/server/campaign-types.ts';

export interface ParamsFormProps {
  details: ScenarioDetails;
  seed: number | undefined;
  set: Record<string, string>;
  onSeed(seed: number | undefined): void;
  onSet(set: Record<string, string>): void;
  /** Problems from the server's check of the current overrides. */
  problems: string[];
  checking: boolean;
  /** Fields a view manages itself (the varied path of a sweep, the compared policy). */
  exclude?: readonly string[];
}

function hint(f: ParamField): string {
  if (f.type === 'enum' || f.type === 'boolean') return `one of: ${(f.allowed ?? []).join(', ')}`;
  if (f.type === 'unit') return f.unit ?? 'a value with a unit';
  if (f.type === 'integer') return `a whole number${f.min !== undefined ? ` ≥ ${f.min}` : ''}${f.max !== undefined ? ` ≤ ${f.max}` : ''}`;
  if (f.type === 'number') return 'a number';
  return 'text';
}

/** The problems that name this field (the loader's messages start with the field path). */
export function problemsFor(path: string, problems: readonly string[]): string[] {
  return problems.filter((p) => p.startsWith(`${path}:`) || p.startsWith(`${path} `) || p.startsWith(`--set ${path}`));
}

export function ParamsForm({ details, seed, set, onSeed, onSet, problems, checking, exclude = [] }: ParamsFormProps) {
  const [extra, setExtra] = useState('');
  const [extraError, setExtraError] = useState<string | undefined>();
  const fields = details.params.filter((f) => !exclude.includes(f.path));
  const known = new Set(fields.map((f) => f.path));
  const others = Object.keys(set).filter((k) => !known.has(k) && !exclude.includes(k));
  const edit = (path: string, value: string) => {
    const next = { ...set };
    if (value === '') delete next[path];
    else next[path] = value;
    onSet(next);
  };
  const addExtra = () => {
    const eq = extra.indexOf('=');
    if (eq <= 0) return setExtraError('write path=value, e.g. network.defaults.loss=5%');
    setExtraError(undefined);
    edit(extra.slice(0, eq).trim(), extra.slice(eq + 1).trim());
    setExtra('');
  };
  const unmatched = problems.filter((p) => ![...fields.map((f) => f.path), ...others].some((path) => problemsFor(path, [p]).length));
  return (
    <div className="params-form" data-testid="params-form">
      <div className="params-grid">
        <label className="param">
          <span className="param-path">seed</span>
          <input
            data-testid="param-seed"
            type="number"
            min={0}
            placeholder={String(details.seed)}
            value={seed ?? ''}
            onChange={(e) => onSeed(e.target.value === '' ? undefined : Number(e.target.value))}
          />
          <span className="param-hint">the scenario's is {details.seed}</span>
        </label>
        {fields.map((f) => {
          const mine = problemsFor(f.path, problems);
          const value = set[f.path] ?? '';
          return (
            <label key={f.path} className={`param${value !== '' ? ' is-edited' : ''}${mine.length ? ' is-bad' : ''}`} title={f.description}>
              <span className="param-path">{f.path}</span>
              {f.allowed ? (
                <select data-testid="param-input" data-path={f.path} value={value} onChange={(e) => edit(f.path, e.target.value)}>
                  <option value="">{f.value !== undefined ? `${f.value} (file)` : '(file)'}</option>
                  {f.allowed.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
              ) : (
                <input data-testid="param-input" data-path={f.path} type="text" placeholder={f.value ?? ''} value={value} onChange={(e) => edit(f.path, e.target.value)} />
              )}
              <span className="param-hint">{hint(f)}</span>
              {mine.map((p) => (
                <span key={p} className="param-error" data-testid="param-error" role="alert">
                  {p}
                </span>
              ))}
            </label>
          );
        })}
        {others.map((path) => (
          <label key={path} className={`param is-edited${problemsFor(path, problems).length ? ' is-bad' : ''}`}>
            <span className="param-path">{path}</span>
            <input data-testid="param-input" data-path={path} type="text" value={set[path]} onChange={(e) => edit(path, e.target.value)} />
            <button type="button" className="btn btn-quiet btn-small" onClick={() => edit(path, '')}>
              remove
            </button>
            {problemsFor(path, problems).map((p) => (
              <span key={p} className="param-error" data-testid="param-error" role="alert">
                {p}
              </span>
            ))}
          </label>
        ))}
      </div>
      <div className="params-extra">
        <input
          data-testid="param-extra"
          type="text"
          placeholder="another override: path=value"
          value={extra}
          onChange={(e) => setExtra(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && addExtra()}
        />
        <button type="button" className="btn btn-small" onClick={addExtra}>
          Add
        </button>
        {extraError && <span className="param-error">{extraError}</span>}
        <span className="params-status" data-testid="params-status" data-state={checking ? 'checking' : problems.length ? 'bad' : 'ok'}>
          {checking ? 'checking…' : problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}: fix before running` : Object.keys(set).length ? 'overrides valid' : 'the file as it is'}
        </span>
      </div>
      {unmatched.length > 0 && (
        <ul className="param-error-list" data-testid="param-problems">
          {unmatched.map((p) => (
            <li key={p} className="param-error">
              {p}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
