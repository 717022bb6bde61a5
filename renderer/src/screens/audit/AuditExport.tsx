import type { ReactNode } from 'react';
import type { AuditExportFormat, AuditFilterInput } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { saveFile } from '../../ui/download';
import { ErrorMessage } from '../../ui/status';

const MIME: Record<AuditExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  jsonl: 'application/x-ndjson;charset=utf-8',
};

/** "boardhub-audit-2026-11-26-1043.csv": sortable, and two exports a minute apart do not clash. */
function fileName(format: AuditExportFormat, now = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `boardhub-audit-${stamp}.${format}`;
}

/** Exports the rows the current filter selects (all of them, not just the loaded pages). */
export function AuditExport({ filter }: { filter: AuditFilterInput }): ReactNode {
  const exportAudit = useHubMutation(async (client, format: AuditExportFormat) => {
    const text = await client.exportAudit(filter, format);
    saveFile(fileName(format), text, MIME[format]);
  }, []);
  return (
    <span className="export-buttons">
      <button type="button" disabled={exportAudit.isPending} onClick={() => exportAudit.mutate('csv')}>
        Export CSV
      </button>
      <button type="button" disabled={exportAudit.isPending} onClick={() => exportAudit.mutate('jsonl')}>
        Export JSONL
      </button>
      {exportAudit.isError && <ErrorMessage error={exportAudit.error} />}
    </span>
  );
}
