/** A server or connection error: the message, its code, and the problems list one per line. */
import type { ReactNode } from 'react';

export interface ErrorPanelProps {
  title: string;
  code?: string;
  message: string;
  problems?: string[];
  action?: ReactNode;
}

export function ErrorPanel({ title, code, message, problems, action }: ErrorPanelProps) {
  return (
    <div className="error-panel" role="alert" data-testid="error-panel">
      <div className="error-head">
        <strong>{title}</strong>
        {code && <code className="error-code">{code}</code>}
      </div>
      <p className="error-message">{message}</p>
      {problems && problems.length > 0 && (
        <ul className="error-problems" data-testid="error-problems">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {action && <div className="error-action">{action}</div>}
    </div>
  );
}
