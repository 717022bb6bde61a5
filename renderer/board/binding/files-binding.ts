/**
 * @module files-binding
 * Image file metadata under the board's `files` root: fileId → {id, mimeType, created, width?, height?}.
 * Only metadata lives in the doc; the bytes go through the hub's `/b/{boardId}/files/{fileId}` endpoint.
 * A file id is immutable content (Excalidraw's SHA-1 of the bytes), so a present entry is never
 * rewritten and entries that do not validate are skipped on read.
 */

import type * as Y from 'yjs';
import { type BoardFileMeta, filesMap } from './schema.js';

export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const BOARD_FILE_MIME_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/svg+xml',
  'image/avif',
] as const;

function positiveFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** File metadata read from the doc, or null when the value is not valid metadata for `fileId`. */
export function asFileMeta(value: unknown, fileId: string): BoardFileMeta | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  if (fields.id !== fileId || !FILE_ID_PATTERN.test(fileId)) return null;
  if (!BOARD_FILE_MIME_TYPES.includes(fields.mimeType as (typeof BOARD_FILE_MIME_TYPES)[number])) return null;
  if (typeof fields.created !== 'number' || !Number.isFinite(fields.created)) return null;
  const meta: BoardFileMeta = { id: fileId, mimeType: fields.mimeType as string, created: fields.created };
  if (positiveFinite(fields.width)) meta.width = fields.width;
  if (positiveFinite(fields.height)) meta.height = fields.height;
  return meta;
}

export function readFileMetas(doc: Y.Doc): Map<string, BoardFileMeta> {
  const metas = new Map<string, BoardFileMeta>();
  for (const [fileId, value] of filesMap(doc)) {
    const meta = asFileMeta(value, fileId);
    if (meta !== null) metas.set(fileId, meta);
  }
  return metas;
}

/** Records a file's metadata once its bytes are uploaded; false when it is already there or invalid. */
export function writeFileMeta(doc: Y.Doc, meta: BoardFileMeta, origin?: unknown): boolean {
  if (asFileMeta(meta, meta.id) === null) return false;
  const files = filesMap(doc);
  if (asFileMeta(files.get(meta.id), meta.id) !== null) return false;
  doc.transact(() => files.set(meta.id, { ...meta }), origin);
  return true;
}

/** Calls `listener` with all valid metadata whenever `files` changes; returns the unsubscribe. */
export function observeFileMetas(
  doc: Y.Doc,
  listener: (files: Map<string, BoardFileMeta>) => void,
): () => void {
  const files = filesMap(doc);
  const onChange = (): void => listener(readFileMetas(doc));
  files.observe(onChange);
  return () => files.unobserve(onChange);
}
