/**
 * "Show me message #N": the summary's rule evidence links ask the ladder to select and scroll to a
 * message. A tiny listener list rather than state lifted into the App, so the two views stay apart.
 */
type Listener = (seq: number) => void;

const listeners = new Set<Listener>();

export function focusMessage(seq: number): void {
  for (const l of listeners) l(seq);
}

/** Subscribes; returns the unsubscribe (an effect's cleanup). */
export function onFocusMessage(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
