/**
 * Mounts its children one chart per frame: recharts' first render of a chart (layout, text
 * measuring) is synchronous work the browser cannot interrupt, so a view that draws a dozen charts
 * at once would freeze the page for all of them together. A placeholder of the chart's height
 * keeps the layout still meanwhile.
 */
import { useEffect, useState, type ReactNode } from 'react';

const queue: (() => void)[] = [];
let scheduled = false;

function pump(): void {
  scheduled = false;
  const next = queue.shift();
  next?.();
  if (queue.length) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // A frame, then a macrotask: the mount lands after the browser has painted.
  requestAnimationFrame(() => setTimeout(pump, 0));
}

export function StaggeredMount({ height, children }: { height: number; children: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    const go = () => live && setReady(true);
    queue.push(go);
    schedule();
    return () => {
      live = false;
      const i = queue.indexOf(go);
      if (i >= 0) queue.splice(i, 1);
    };
  }, []);
  return ready ? <>{children}</> : <div className="chart-placeholder" style={{ height }} aria-busy="true" />;
}
