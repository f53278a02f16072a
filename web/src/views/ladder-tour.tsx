/**
 * First contact: a one-screen tour of the ladder's controls, shown until dismissed for good (the
 * choice is kept in localStorage; "Tour" in the ladder's hint brings it back).
 */
import { useEffect, useState } from 'react';

export const TOUR_KEY = 'reglab.tour.dismissed';
const listeners = new Set<(open: boolean) => void>();

function stored(): boolean {
  try {
    return localStorage.getItem(TOUR_KEY) === '1';
  } catch {
    return false;
  }
}

/** Opens the tour again (from the ladder's hint). */
export function showTour(): void {
  for (const l of listeners) l(true);
}

export function LadderTour() {
  const [open, setOpen] = useState(() => !stored());
  useEffect(() => {
    listeners.add(setOpen);
    return () => {
      listeners.delete(setOpen);
    };
  }, []);
  if (!open) return null;
  const dismiss = () => {
    try {
      localStorage.setItem(TOUR_KEY, '1');
    } catch {
      // Storage refused (private mode): dismissed for this page only.
    }
    setOpen(false);
  };
  return (
    <section className="tour" aria-labelledby="tour-title" data-testid="tour">
      <h2 id="tour-title">New here? The ladder in one minute</h2>
      <ol>
        <li>
          <strong>Run</strong> the preselected scenario: it tells the whole TS 24.292 §6.3.6.2 story — the call is released, then the MSC deregisters.
        </li>
        <li>
          <strong>Ladder</strong>: one row per message, colour by protocol; errors in red/orange, ✕ where a fault dropped a message, dotted lines for retransmissions.
        </li>
        <li>
          <strong>Click a message</strong> (or Tab into the ladder and use <kbd>↑</kbd> <kbd>↓</kbd>): the panel decodes it and lists the spec steps it realises — hover a step to light the
          header it put there.
        </li>
        <li>
          <strong>Playback</strong>: <kbd>Space</kbd> or ▶ plays message by message or in simulated time; “Stop at #” pauses at the message you choose.
        </li>
        <li>
          <strong>Filter and search</strong> by subscriber, procedure, protocol, node or errors; search any Call-ID, branch or header value.
        </li>
        <li>
          <strong>Export</strong> the ladder (SVG, PNG, Mermaid) or download the run’s files — trace.pcapng opens in Wireshark with each frame’s spec steps as comments.
        </li>
      </ol>
      <div className="tour-actions">
        <button type="button" className="btn btn-small btn-primary" onClick={dismiss} data-testid="tour-dismiss">
          Got it — don’t show again
        </button>
      </div>
    </section>
  );
}
