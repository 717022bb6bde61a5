/**
 * @module schema
 * The board schema (version 1): the Yjs roots a board document holds and typed accessors for them.
 * docs/BOARD-SCHEMA.md is the contract; this file is its code.
 */

import type * as Y from 'yjs';
import { BoardKeyValue } from './key-value.js';

export const BOARD_SCHEMA_VERSION = 1;

/** Root names of a board document. */
export const BOARD_ROOTS = {
  elements: 'elements',
  files: 'files',
  comments: 'comments',
  meta: 'meta',
} as const;

/** The fields of an Excalidraw element the binding relies on; the rest travels untouched. */
export interface ExcalidrawElementLike {
  readonly id: string;
  readonly version: number;
  readonly versionNonce: number;
  readonly index: string | null;
  readonly isDeleted: boolean;
  readonly [field: string]: unknown;
}

/** File metadata kept under `files` (the bytes go through the hub's files endpoint). */
export interface BoardFileMeta {
  id: string;
  mimeType: string;
  created: number;
  width?: number;
  height?: number;
}

/** The raw `elements` array: `{key, val}` entries as written, including whatever a hostile client pushed. */
export function elementsArray(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray<unknown>(BOARD_ROOTS.elements);
}

const keyValues = new WeakMap<Y.Doc, BoardKeyValue>();

/**
 * The `elements` root as a key-value store, one per doc: the store observes its array for as long as
 * the doc lives, so bindings created in turn share it rather than stacking observers.
 */
export function elementsKeyValue(doc: Y.Doc): BoardKeyValue {
  let keyValue = keyValues.get(doc);
  if (keyValue === undefined) {
    keyValue = new BoardKeyValue(elementsArray(doc));
    keyValues.set(doc, keyValue);
  }
  return keyValue;
}

export function filesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(BOARD_ROOTS.files);
}

export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(BOARD_ROOTS.meta);
}

/** The schema version a document declares, or null when it declares none (an empty or foreign doc). */
export function readSchemaVersion(doc: Y.Doc): number | null {
  const version = metaMap(doc).get('schemaVersion');
  return typeof version === 'number' && Number.isInteger(version) ? version : null;
}

/** Marks a document as schema 1 when it declares nothing yet (idempotent; an edit-role client does it). */
export function ensureSchemaVersion(doc: Y.Doc, origin?: unknown): void {
  if (readSchemaVersion(doc) !== null) return;
  doc.transact(() => metaMap(doc).set('schemaVersion', BOARD_SCHEMA_VERSION), origin);
}

/**
 * A value read from the doc is an element only if it has the fields the binding relies on and its id
 * matches the key it is stored under; anything else (a hostile or broken client's write) is skipped.
 */
export function asElement(value: unknown, key?: string): ExcalidrawElementLike | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.id !== 'string' || candidate.id.length === 0) return null;
  if (key !== undefined && candidate.id !== key) return null;
  if (typeof candidate.type !== 'string') return null;
  if (!Number.isFinite(candidate.version) || !Number.isFinite(candidate.versionNonce)) return null;
  if (candidate.isDeleted !== undefined && typeof candidate.isDeleted !== 'boolean') return null;
  return candidate as unknown as ExcalidrawElementLike;
}
