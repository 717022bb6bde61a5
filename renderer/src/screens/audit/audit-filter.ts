import type { AuditFilterInput } from '../../../../src/client/hub-client';

/**
 * The Audit screen's filter lives in the address (#/audit?board=…&action=…), so a board's page can
 * link to its own audit rows and Back restores the previous filter. Times are the
 * datetime-local inputs' own text (local time, no zone), converted only when querying.
 */
export interface AuditFilterFields {
  from: string;
  to: string;
  board: string;
  action: string;
  actor: string;
  ip: string;
}

const FIELDS = ['from', 'to', 'board', 'action', 'actor', 'ip'] as const;

export function fieldsFromParams(params: URLSearchParams): AuditFilterFields {
  const fields = { from: '', to: '', board: '', action: '', actor: '', ip: '' };
  for (const name of FIELDS) fields[name] = params.get(name) ?? '';
  return fields;
}

export function paramsFromFields(fields: AuditFilterFields): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = fields[name].trim();
    if (value !== '') params.set(name, value);
  }
  return params;
}

const localTime = (value: string): number | undefined => {
  if (value === '') return undefined;
  const ts = new Date(value).getTime();
  return Number.isNaN(ts) ? undefined : ts;
};

export function filterFromFields(fields: AuditFilterFields): AuditFilterInput {
  const filter: AuditFilterInput = {};
  const from = localTime(fields.from);
  const to = localTime(fields.to);
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  if (fields.board.trim() !== '') filter.boardId = fields.board.trim();
  if (fields.action.trim() !== '') filter.action = fields.action.trim();
  if (fields.actor.trim() !== '') filter.actor = fields.actor.trim();
  if (fields.ip.trim() !== '') filter.ip = fields.ip.trim();
  return filter;
}

export const isFiltered = (fields: AuditFilterFields): boolean => FIELDS.some((name) => fields[name] !== '');
