/** Legend toggles: which series a chart hides, flipped by clicking the legend entry. */
import { useCallback, useState } from 'react';

export function useHiddenSeries(): { hidden: ReadonlySet<string>; toggle(name: string): void } {
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((name: string) => {
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  }, []);
  return { hidden, toggle };
}
