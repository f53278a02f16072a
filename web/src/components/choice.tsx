/** A <select> of text options (each its own label), optionally led by an empty "none" option. */
export interface ChoiceProps {
  testId: string;
  value: string;
  options: readonly string[];
  onChange(value: string): void;
  /** The label of a first option with the value '' (e.g. 'all'). */
  none?: string;
}

export function Choice({ testId, value, options, onChange, none }: ChoiceProps) {
  return (
    <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      {none !== undefined && <option value="">{none}</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}
