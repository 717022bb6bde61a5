import type { ReactNode } from 'react';
import { describeError } from '../../hub/errors';
import { useAuditChain } from '../../hub/queries';

/** Whether the hash chain still verifies from the first row to the newest (re-checked every 30 s). */
export function ChainStatus(): ReactNode {
  const chain = useAuditChain();
  if (chain.isPending) {
    return (
      <span className="badge badge-muted" role="status">
        Checking the chain…
      </span>
    );
  }
  if (chain.isError) {
    return (
      <span className="badge badge-warn" role="status">
        Chain not checked: {describeError(chain.error)}
      </span>
    );
  }
  const status = chain.data;
  if (status.ok) {
    return (
      <span
        className="badge badge-ok"
        role="status"
        title={`Newest hash: ${status.headHash} · checked at ${new Date(chain.dataUpdatedAt).toLocaleTimeString()}`}
      >
        Chain intact · {status.rows} rows
      </span>
    );
  }
  return (
    <span className="badge badge-danger" role="status">
      Chain broken at row {status.brokenAt.id}: {status.brokenAt.reason}
    </span>
  );
}
