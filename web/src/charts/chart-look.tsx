/**
 * What the campaign charts share: the value axis, legend entries that hide/show their series when clicked (the
 * hidden ones drawn faint), the tooltip's look, and the look of a series' line.
 */
import { useCallback, useMemo, useState } from 'react';
import { dashFor, tick } from './chart-format.ts';

export const TOOLTIP_STYLE = { borderRadius: 6, borderColor: '#dde1e6', fontSize: 12 };

/** The value axis of the campaign charts (its label and scale are each chart's). */
export const Y_AXIS = { stroke: '#8b95a3', fontSize: 12, tickLine: false, axisLine: false, width: 72, tickFormatter: (v: number) => tick(v) } as const;

/** Which series the chart hides, and the props that make its <Legend> toggle them. */
export function useLegendToggle() {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((name: string) => {
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  }, []);
  const legend = useMemo(
    () => ({
      iconType: 'plainline' as const,
      onClick: (e: unknown) => toggle(String((e as { value?: unknown }).value)),
      formatter: (value: string) => <span style={{ opacity: hidden.has(value) ? 0.35 : 1 }}>{value}</span>,
    }),
    [hidden, toggle],
  );
  return { hidden, legend };
}

/** Series i's line: its colour, its dash (so overlapping lines keep apart), drawn without animation. */
export function lineLook(i: number, stroke: string) {
  return { stroke, strokeWidth: 1.8, strokeDasharray: dashFor(i), connectNulls: true, isAnimationActive: false } as const;
}
