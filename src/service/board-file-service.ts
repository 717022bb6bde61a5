import { HubError } from '../errors.js';
import type { BoardFileRecord, BoardFileStore } from '../storage/board-file-store.js';
import type { GrantedAccess } from './hub-service.js';

/**
 * The use cases behind a board page's images (`/b/{boardId}/files/{fileId}`): the bytes live in
 * SQLite with the board, the doc's `files` root holds only their metadata. Access is the
 * WebSocket's: the same share token, the share row's role. Edit uploads; every role reads.
 */

/** Image types a board may hold; anything else could be a page or a script served from our origin. */
export const BOARD_FILE_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/svg+xml',
  'image/avif',
] as const;
export type BoardFileType = (typeof BOARD_FILE_TYPES)[number];

/** Excalidraw's file ids are 40-hex SHA-1s; any URL-safe id up to 64 characters is taken. */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isBoardFileType(value: string): value is BoardFileType {
  return (BOARD_FILE_TYPES as readonly string[]).includes(value);
}

/** `image/png; charset=…` → `image/png`, lower case. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function assertFileId(fileId: string): void {
  if (!FILE_ID_PATTERN.test(fileId))
    throw new HubError('BAD_REQUEST', 'A file id is 1 to 64 letters, digits, "_" or "-".');
}

export function assertFileType(mimeType: string): asserts mimeType is BoardFileType {
  if (!isBoardFileType(mimeType)) {
    throw new HubError(
      'FILE_TYPE_NOT_ALLOWED',
      `Boards hold images only (${BOARD_FILE_TYPES.join(', ')}), not "${mimeType || 'no type'}".`,
    );
  }
}

export function tooLargeMessage(maxBytes: number): string {
  return `This image is larger than the ${formatMiB(maxBytes)} a board accepts per file; make it smaller and add it again.`;
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

export interface BoardFileServiceDeps {
  files: BoardFileStore;
  maxBytes: number;
  /** Records a new file in the audit log. */
  uploaded(access: GrantedAccess, file: BoardFileRecord): void;
}

export class BoardFileService {
  constructor(private readonly deps: BoardFileServiceDeps) {}

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  /** Refuses a role that may not upload, before its body is read. */
  assertMayUpload(access: GrantedAccess): void {
    if (access.share.role !== 'edit') {
      throw new HubError('ROLE_NOT_ALLOWED', `A ${access.share.role} link cannot add images to this board.`);
    }
  }

  /** Stores an image; a second upload of the same id is a no-op. True when it was new. */
  upload(
    access: GrantedAccess,
    input: { fileId: string; mimeType: string; bytes: Uint8Array },
    now = Date.now(),
  ): boolean {
    this.assertMayUpload(access);
    assertFileId(input.fileId);
    assertFileType(input.mimeType);
    if (input.bytes.byteLength === 0) throw new HubError('BAD_REQUEST', 'The image is empty.');
    if (input.bytes.byteLength > this.deps.maxBytes)
      throw new HubError('FILE_TOO_LARGE', tooLargeMessage(this.deps.maxBytes));
    const file: BoardFileRecord = {
      boardId: access.board.id,
      fileId: input.fileId,
      mimeType: input.mimeType,
      bytes: input.bytes,
      size: input.bytes.byteLength,
      createdAt: now,
      createdByShare: access.share.id,
    };
    const created = this.deps.files.put(file);
    if (created) this.deps.uploaded(access, file);
    return created;
  }

  read(access: GrantedAccess, fileId: string): BoardFileRecord {
    assertFileId(fileId);
    const file = this.deps.files.get(access.board.id, fileId);
    if (!file) throw new HubError('FILE_NOT_FOUND', `This board has no file ${fileId}.`);
    return file;
  }
}
