import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { AUDIT_ACTION_LABELS } from './audit-actions';
import { type AuditFilterFields, isFiltered } from './audit-filter';
import { useBoardNames } from './useBoardNames';

interface AuditFilterFormProps {
  initial: AuditFilterFields;
  onApply(fields: AuditFilterFields): void;
}

const EMPTY: AuditFilterFields = { from: '', to: '', board: '', action: '', actor: '', ip: '' };

export function AuditFilterForm({ initial, onApply }: AuditFilterFormProps): ReactNode {
  const id = useId();
  const [fields, setFields] = useState(initial);
  const boardNames = useBoardNames();
  const set = (name: keyof AuditFilterFields) => (event: { currentTarget: { value: string } }) =>
    setFields({ ...fields, [name]: event.currentTarget.value });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onApply(fields);
  };
  // A filtered board that is gone still gets an option, so the select shows what is applied.
  const boards = [...boardNames].sort((a, b) => a[1].localeCompare(b[1]));
  if (fields.board !== '' && !boardNames.has(fields.board)) boards.push([fields.board, fields.board]);

  return (
    <form className="filters" onSubmit={submit} aria-label="Audit filters">
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={fields.from} onChange={set('from')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={fields.to} onChange={set('to')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-board`}>Board</label>
        <select id={`${id}-board`} value={fields.board} onChange={set('board')}>
          <option value="">All boards</option>
          {boards.map(([boardId, name]) => (
            <option key={boardId} value={boardId}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} value={fields.action} onChange={set('action')}>
          <option value="">All actions</option>
          {Object.entries(AUDIT_ACTION_LABELS).map(([action, label]) => (
            <option key={action} value={action}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-actor`}>Actor</label>
        <input
          id={`${id}-actor`}
          value={fields.actor}
          placeholder="admin, cli, share:…"
          spellCheck={false}
          onChange={set('actor')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-ip`}>IP address</label>
        <input
          id={`${id}-ip`}
          value={fields.ip}
          placeholder="192.168.1.23"
          spellCheck={false}
          onChange={set('ip')}
        />
      </div>
      <div className="filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button
          type="button"
          disabled={!isFiltered(fields) && !isFiltered(initial)}
          onClick={() => {
            setFields(EMPTY);
            onApply(EMPTY);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
