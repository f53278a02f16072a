/**
 * A set of checkboxes choosing some of `items` (variants, policies); toggling keeps the items'
 * own order, so the chosen list (and the URL holding it) does not depend on the clicks' order.
 */
import type { ReactNode } from 'react';

/** `chosen` with `item` added or removed, in the order of `items`. */
export function toggled(items: readonly string[], chosen: readonly string[], item: string): string[] {
  return chosen.includes(item) ? chosen.filter((x) => x !== item) : items.filter((x) => x === item || chosen.includes(x));
}

export interface CheckListProps {
  legend: string;
  items: readonly string[];
  chosen: readonly string[];
  onChange(chosen: string[]): void;
  /** Each checkbox gets data-testid={testId} and data-{dataKey}={item}. */
  testId: string;
  dataKey: string;
  label?(item: string): ReactNode;
  listTestId?: string;
}

export function CheckList({ legend, items, chosen, onChange, testId, dataKey, label = (item) => item, listTestId }: CheckListProps) {
  return (
    <fieldset className="variant-list" data-testid={listTestId}>
      <legend>{legend}</legend>
      {items.map((item) => (
        <label key={item} className="variant-choice">
          <input type="checkbox" data-testid={testId} {...{ [`data-${dataKey}`]: item }} checked={chosen.includes(item)} onChange={() => onChange(toggled(items, chosen, item))} />
          {label(item)}
        </label>
      ))}
    </fieldset>
  );
}
