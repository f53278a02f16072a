/** Bad scenario input: every problem is one line naming the field, what was wrong and what is allowed. */
export class ScenarioError extends Error {
  readonly code = 'E_SCENARIO';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}
