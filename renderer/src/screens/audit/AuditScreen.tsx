import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { AuditExport } from './AuditExport';
import { AuditFilterForm } from './AuditFilterForm';
import { AuditTable } from './AuditTable';
import { fieldsFromParams, filterFromFields, paramsFromFields } from './audit-filter';
import { ChainStatus } from './ChainStatus';

/** Everything the hub wrote down, newest first, filtered; new rows arrive by themselves. */
export function AuditScreen(): ReactNode {
  const [params, setParams] = useSearchParams();
  const fields = fieldsFromParams(params);
  const filter = filterFromFields(fields);
  return (
    <section className="screen" aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit</h1>
        <p className="screen-lead">
          Who came in, what changed and what was refused. Each row carries the hash of the one before, so an
          edited or removed row shows.
        </p>
        <div className="header-actions">
          <ChainStatus />
          <AuditExport filter={filter} />
        </div>
      </header>
      <AuditFilterForm
        key={params.toString()}
        initial={fields}
        onApply={(next) => setParams(paramsFromFields(next))}
      />
      <AuditTable filter={filter} />
    </section>
  );
}
