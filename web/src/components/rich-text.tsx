/**
 * Scenario descriptions: `backticks` render as code, and a long description collapses to two lines
 * with a "more" button (the full text is one click away, the Run button stays in view).
 */
import { useState } from 'react';

/** Splits text on backtick pairs: odd parts are code. An unpaired backtick stays as text. */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  const parts = text.split('`');
  if (parts.length % 2 === 0) return [{ code: false, text }];
  return parts.map((t, i) => ({ code: i % 2 === 1, text: t })).filter((p) => p.text !== '');
}

export function InlineCode({ text }: { text: string }) {
  return (
    <>
      {codeSpans(text).map((p, i) => (p.code ? <code key={i}>{p.text}</code> : <span key={i}>{p.text}</span>))}
    </>
  );
}

export function CollapsibleText({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > 160;
  return (
    <div>
      <p className={`${className ?? ''}${long && !open ? ' is-clamped' : ''}`} data-testid={testId}>
        <InlineCode text={text} />
      </p>
      {long && (
        <button type="button" className="btn btn-small btn-quiet" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="desc-more">
          {open ? 'less' : 'more'}
        </button>
      )}
    </div>
  );
}
