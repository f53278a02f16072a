/** Bad scenario input: every problem is one line naming the field, what was wrong and what is allowed. */
export class ScenarioError extends Error {
  readonly code = 'E_SCENARIO';
  readonly problems: string[];
  constructor(
    readonly file: string,
    problems: string[],
  ) {
    // A problem quotes user input (a field path, a value): control characters in it are shown escaped,
    // so a problem stays one line whatever was typed.
    const lines = problems.map(oneLine);
    super(`${file}: ${lines.length} problem(s)\n${lines.map((p) => `  ${p}`).join('\n')}`);
    this.problems = lines;
    this.name = 'ScenarioError';
  }
}

function oneLine(p: string): string {
  // eslint-disable-next-line no-control-regex
  return p.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
