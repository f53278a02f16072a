/**
 * The emulation's endpoints as `reglab emulate` prints them (node, protocol, URL), with a copy
 * button per URL, and the nodes a real peer plays with that peer's address.
 */
import { useState } from 'react';
import type { EmulateEndpoint, EmulateNodeInfo } from '../../../sim/server/emulate-types.ts';
import { endpointRows } from '../hooks/emulation-state.ts';

export function EndpointsTable({ nodes, endpoints }: { nodes: EmulateNodeInfo[]; endpoints: EmulateEndpoint[] }) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const copy = (url: string) => {
    void navigator.clipboard?.writeText(url).then(
      () => setCopied(url),
      () => setCopied(undefined),
    );
  };
  const rows = endpointRows(nodes, endpoints);
  return (
    <div className="table-wrap">
      <table className="table endpoints" data-testid="endpoints">
        <thead>
          <tr>
            <th>Node</th>
            <th>Listens on</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.node} data-testid="endpoint-node" data-node={r.node}>
              <td>
                <strong>{r.node}</strong> <span className="muted">{r.type}</span>
              </td>
              <td>
                {r.external && (
                  <div className="endpoint-external" data-testid="endpoint-external">
                    played by the real peer at <code>{r.external}</code> (RegLab does not run this node)
                  </div>
                )}
                {r.urls.map((u) => (
                  <div key={u.url} className="endpoint-url" data-testid="endpoint" data-proto={u.proto}>
                    <code>{u.url}</code>
                    <button type="button" className="btn btn-small btn-quiet" onClick={() => copy(u.url)} aria-label={`Copy ${u.url}`}>
                      {copied === u.url ? 'Copied' : 'Copy'}
                    </button>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
