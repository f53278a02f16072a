/** A table of figures: a header row from `columns`, the body rows as children. */
import type { ReactNode } from 'react';

/** A column heading; `num` right-aligns it over numeric cells, `title` explains it on hover. */
export type Column = string | { label: string; num?: boolean; title?: string };

export function DataTable({ columns, testId, className = 'data-table', children }: { columns: readonly Column[]; testId?: string; className?: string; children: ReactNode }) {
  return (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c, i) =>
            typeof c === 'string' ? (
              <th key={i}>{c}</th>
            ) : (
              <th key={i} className={c.num ? 'num' : undefined} title={c.title}>
                {c.label}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
