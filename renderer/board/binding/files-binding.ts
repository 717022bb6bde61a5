/**
 * @module files-binding
 * Image file metadata under the board's `files` root (skeleton; filled in next).
 */

import type * as Y from 'yjs';
import type { BoardFileMeta } from './schema.js';

export function readFileMetas(_doc: Y.Doc): Map<string, BoardFileMeta> {
  return new Map();
}

export function writeFileMeta(_doc: Y.Doc, _meta: BoardFileMeta, _origin?: unknown): boolean {
  return false;
}

export function observeFileMetas(
  _doc: Y.Doc,
  _listener: (files: Map<string, BoardFileMeta>) => void,
): () => void {
  return () => {};
}
