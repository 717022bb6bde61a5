import { HubClientError } from '../../../src/client/hub-client.js';

/**
 * Typed reads of a JSON body. The UI trusts what a HubClient returns, so the HTTP client checks
 * every field it hands on (and only those: extra fields the hub sends are dropped). A body of the
 * wrong shape is an UNEXPECTED_RESPONSE, e.g. from an older hub or a proxy, never a crash later in
 * a component.
 */
export function unexpected(what: string): HubClientError {
  return new HubClientError('UNEXPECTED_RESPONSE', `The hub sent an unexpected answer (${what}).`);
}

export interface Fields {
  string(key: string): string;
  number(key: string): number;
  boolean(key: string): boolean;
  nullableString(key: string): string | null;
  nullableNumber(key: string): number | null;
  optionalString(key: string): string | undefined;
  stringArray(key: string): string[];
  oneOf<T extends string>(key: string, allowed: readonly T[]): T;
  record(key: string): Record<string, unknown>;
  value(key: string): unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function fieldsOf(value: unknown, what: string): Fields {
  if (!isRecord(value)) throw unexpected(`${what} is not an object`);
  const fail = (key: string, expected: string): HubClientError =>
    unexpected(`${what}.${key} is not ${expected}`);
  const read = <T>(key: string, expected: string, accept: (item: unknown) => item is T): T => {
    const item = value[key];
    if (!accept(item)) throw fail(key, expected);
    return item;
  };
  const isString = (item: unknown): item is string => typeof item === 'string';
  const isNumber = (item: unknown): item is number => typeof item === 'number' && Number.isFinite(item);
  return {
    string: (key) => read(key, 'a string', isString),
    number: (key) => read(key, 'a number', isNumber),
    boolean: (key) => read(key, 'a boolean', (item): item is boolean => typeof item === 'boolean'),
    nullableString: (key) =>
      read(key, 'a string or null', (item): item is string | null => item === null || isString(item)),
    nullableNumber: (key) =>
      read(key, 'a number or null', (item): item is number | null => item === null || isNumber(item)),
    optionalString: (key) =>
      read(key, 'a string', (item): item is string | undefined => item === undefined || isString(item)),
    stringArray: (key) =>
      read(key, 'a list of strings', (item): item is string[] => Array.isArray(item) && item.every(isString)),
    oneOf: <T extends string>(key: string, allowed: readonly T[]) =>
      read(key, `one of ${allowed.join(', ')}`, (item): item is T =>
        (allowed as readonly unknown[]).includes(item),
      ),
    record: (key) => read(key, 'an object', isRecord),
    value: (key) => value[key],
  };
}

export function listOf<T>(value: unknown, what: string, decode: (item: unknown) => T): T[] {
  if (!Array.isArray(value)) throw unexpected(`${what} is not a list`);
  return value.map(decode);
}
