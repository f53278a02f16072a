import { wallClockMs } from '../kernel/real-time-clock.ts';

/**
 * The progress bar on stderr, shown only for runs longer than a second. On a terminal it redraws
 * in place; elsewhere (CI logs) it prints a line every few seconds instead of flooding the log.
 */
export class ProgressBar {
  private readonly start = wallClockMs();
  private shown = false;
  private lastLine = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  update(p: { simulatedNs: number; events: number; fraction: number }): void {
    const elapsed = wallClockMs() - this.start;
    if (elapsed < 1000) return;
    const pct = Math.round(p.fraction * 100);
    const text = `${this.label} ${pct}% · sim ${(p.simulatedNs / 1e9).toFixed(1)} s · ${(p.events / 1e6).toFixed(2)} M events · ${(elapsed / 1000).toFixed(1)} s`;
    if (this.out.isTTY) {
      const width = 24;
      const fill = Math.round(p.fraction * width);
      this.out.write(`\r[${'█'.repeat(fill)}${'·'.repeat(width - fill)}] ${text}\x1b[K`);
      this.shown = true;
    } else if (elapsed - this.lastLine >= 5000) {
      this.lastLine = elapsed;
      this.out.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.shown) this.out.write('\n');
  }
}
