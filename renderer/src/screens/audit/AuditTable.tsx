import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { AuditFilterInput, AuditRow } from '../../../../src/client/hub-client';
import { useHubClient } from '../../hub/client-context';
import { queryKeys } from '../../hub/query-keys';
import { EmptyState, ErrorMessage, Loading } from '../../ui/status';
import { TableScroll } from '../../ui/TableScroll';
import { RelativeTime } from '../../ui/time';
import { ALARMING_ACTIONS, actionLabel } from './audit-actions';
import { describeDetail } from './audit-detail';
import { useBoardNames } from './useBoardNames';

const PAGE_SIZE = 50;

export function AuditTable({ filter }: { filter: AuditFilterInput }): ReactNode {
  const client = useHubClient();
  const boardNames = useBoardNames();
  // A live 'audit' change refetches the loaded pages from the newest, so new rows appear on top.
  const rows = useInfiniteQuery({
    queryKey: queryKeys.audit(filter),
    queryFn: ({ pageParam }) => client.queryAudit({ ...filter, beforeId: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

  if (rows.isPending) return <Loading label="Loading the audit log…" />;
  if (rows.isError) return <ErrorMessage error={rows.error} retry={() => void rows.refetch()} />;
  const entries: AuditRow[] = rows.data.pages.flatMap((page) => page.entries);
  if (entries.length === 0) {
    return <EmptyState title="No audit rows match">Change or clear the filters to see more.</EmptyState>;
  }
  return (
    <>
      <TableScroll label="Audit rows">
        <table className="audit-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Board</th>
              <th scope="col">Share</th>
              <th scope="col">IP address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((row) => (
              <tr key={row.id} className={ALARMING_ACTIONS.has(row.action) ? 'is-alarming' : undefined}>
                <td>
                  <RelativeTime ts={row.ts} />
                </td>
                <td>
                  <span className="action" title={row.action}>
                    {actionLabel(row.action)}
                  </span>
                </td>
                <td className="mono actor" title={row.actor}>
                  {row.actor}
                </td>
                <td>
                  {row.boardId === null ? (
                    '—'
                  ) : (
                    <Link to={`/boards/${encodeURIComponent(row.boardId)}`}>
                      {boardNames.get(row.boardId) ?? row.boardId}
                    </Link>
                  )}
                </td>
                <td title={row.shareId ?? undefined}>{row.label ?? row.shareId ?? '—'}</td>
                <td className="mono">{row.ip ?? '—'}</td>
                <td className="detail" title={row.userAgent ?? undefined}>
                  {describeDetail(row.detail)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <div className="paging">
        <p className="hint" role="status">
          Showing {entries.length} {entries.length === 1 ? 'row' : 'rows'}, newest first
          {rows.hasNextPage ? '.' : ' (all of them).'}
        </p>
        {rows.hasNextPage && (
          <button type="button" disabled={rows.isFetchingNextPage} onClick={() => void rows.fetchNextPage()}>
            {rows.isFetchingNextPage ? 'Loading…' : 'Load older'}
          </button>
        )}
      </div>
    </>
  );
}
