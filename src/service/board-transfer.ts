import * as Y from 'yjs';
import { z } from 'zod';
import { HubError } from '../errors.js';
import { BOARD_FILE_TYPES, FILE_ID_PATTERN, tooLargeMessage } from './board-file-service.js';

/**
 * The export format: the board's state as ONE plain Yjs update (Y.encodeStateAsUpdate, loads
 * into any Y.Doc with Y.applyUpdate), plus a JSON sidecar naming what it is. A board with image
 * files exports as a bundle instead (BUNDLE_FORMAT below): the same update, then the files.
 */
export const EXPORT_FORMAT = 'boardhub-board/1';

export interface BoardExportMeta {
  format: typeof EXPORT_FORMAT;
  id: string;
  name: string;
  createdAt: number;
  exportedAt: number;
  hubId: string;
  updateBytes: number;
  /** Image files carried in the bundle (0: the file is the plain update). */
  files: number;
}

/**
 * A bundle: MAGIC, a 4-byte big-endian header length, the header (JSON: the update's length and
 * each file's id, type, size and time), the update, then each file's bytes in header order. The
 * magic is ASCII text no Yjs update starts with in practice (it would claim 66 clients, then
 * fail to decode), so an import tells the two apart by their first bytes.
 */
export const BUNDLE_FORMAT = 'boardhub-board-bundle/1';
const BUNDLE_MAGIC = new TextEncoder().encode('BOARDHUB-BUNDLE\n');

export interface BundledFile {
  fileId: string;
  mimeType: string;
  createdAt: number;
  bytes: Uint8Array;
}

const BundleHeaderSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  updateBytes: z.number().int().min(1),
  files: z
    .array(
      z.strictObject({
        fileId: z.string().regex(FILE_ID_PATTERN),
        mimeType: z.enum(BOARD_FILE_TYPES),
        size: z.number().int().min(1),
        createdAt: z.number().int().min(0),
      }),
    )
    .max(100_000),
});

/** The board's update alone when it has no files, else a bundle of the update and the files. */
export function encodeBoardExport(update: Uint8Array, files: readonly BundledFile[]): Uint8Array {
  if (files.length === 0) return update;
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: BUNDLE_FORMAT,
      updateBytes: update.byteLength,
      files: files.map(({ fileId, mimeType, bytes, createdAt }) => ({
        fileId,
        mimeType,
        size: bytes.byteLength,
        createdAt,
      })),
    }),
  );
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, header.byteLength);
  return Buffer.concat([BUNDLE_MAGIC, length, header, update, ...files.map((file) => file.bytes)]);
}

/** An exported file split into its update and its files; a plain update has no files. */
export function decodeBoardExport(
  bytes: Uint8Array,
  maxFileBytes: number,
): { update: Uint8Array; files: BundledFile[] } {
  if (!startsWith(bytes, BUNDLE_MAGIC)) return { update: bytes, files: [] };
  const broken = (why: string) =>
    new HubError('INVALID_ARGUMENT', `The import file is a broken bundle: ${why}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = BUNDLE_MAGIC.byteLength;
  if (bytes.byteLength < offset + 4) throw broken('it ends before its header');
  const headerLength = view.getUint32(offset);
  offset += 4;
  if (bytes.byteLength < offset + headerLength) throw broken('it ends inside its header');
  let header: z.infer<typeof BundleHeaderSchema>;
  try {
    header = BundleHeaderSchema.parse(
      JSON.parse(new TextDecoder().decode(bytes.subarray(offset, offset + headerLength))),
    );
  } catch {
    throw broken('its header is not valid');
  }
  offset += headerLength;
  const take = (size: number): Uint8Array => {
    if (bytes.byteLength < offset + size) throw broken('it ends early');
    const part = bytes.subarray(offset, offset + size);
    offset += size;
    return part;
  };
  const update = take(header.updateBytes);
  const files = header.files.map((file) => {
    if (file.size > maxFileBytes) throw new HubError('FILE_TOO_LARGE', tooLargeMessage(maxFileBytes));
    return {
      fileId: file.fileId,
      mimeType: file.mimeType,
      createdAt: file.createdAt,
      bytes: take(file.size),
    };
  });
  if (offset !== bytes.byteLength) throw broken('it has bytes after its last file');
  return { update, files };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.byteLength >= prefix.byteLength && prefix.every((byte, index) => bytes[index] === byte);
}

/** "Retro.yjs": the board's name kept to characters safe in any file system and header. */
export function exportFileName(boardName: string): string {
  return `${boardName.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 80) || 'board'}.yjs`;
}

/** Folds a stored snapshot + log into one update (validating that it loads). */
export function stateAsSingleUpdate(snapshot: Uint8Array | null, tail: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (snapshot) Y.applyUpdate(doc, snapshot);
      for (const update of tail) Y.applyUpdate(doc, update);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * An imported file must be a complete Yjs update: it loads, and nothing in it waits for a missing
 * dependency. Returns it re-encoded as the doc's state.
 */
export function validateImportedUpdate(update: Uint8Array): Uint8Array {
  if (update.byteLength === 0) throw new HubError('INVALID_ARGUMENT', 'The import file is empty.');
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update);
    if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) throw new Error('incomplete');
    return Y.encodeStateAsUpdate(doc);
  } catch {
    throw new HubError('INVALID_ARGUMENT', 'The import file is not a complete Yjs update.');
  } finally {
    doc.destroy();
  }
}
