/**
 * What the main process accepts on each `boardhub:<method>` channel: one zod schema per HubClient
 * method, over the argument list exactly as the renderer passed it. The renderer is our own code,
 * but it shows content from the LAN (board names, labels, peer names), so the main process treats
 * every call as untrusted input: exact shapes (no unknown keys), bounded lengths, enums, whole
 * numbers in range, and real bytes with a size cap for imports. The hub validates again inside
 * its use cases; this layer makes sure nothing odd (a getter, a huge string, a wrong type)
 * reaches it at all.
 */
import { z } from 'zod';
import { type HubClient, SHARE_ROLES } from '../../src/client/hub-client.js';
import type { HubCallMethod } from './hub-ipc-channels.js';

export * from './hub-ipc-channels.js';

/** Large enough for any board worth importing, small enough that one call cannot exhaust memory. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id');
const boardName = z.string().min(1, 'a board needs a name').max(200, 'at most 200 characters');
const label = z.string().max(200, 'at most 200 characters');
const port = z.number().int('must be a whole number').min(1).max(65535);
const timestamp = z.number().int('must be whole milliseconds').min(0);
const text = z.string().min(1).max(512, 'at most 512 characters');
const role = z.enum(SHARE_ROLES as readonly ['view', 'comment', 'edit']);

const auditFilterFields = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  boardId: text.optional(),
  action: z
    .string()
    .regex(/^[a-z_]{1,64}$/, 'not an audit action')
    .optional(),
  actor: text.optional(),
  ip: text.optional(),
};

const importInput = z.strictObject({
  bytes: z
    .instanceof(Uint8Array, { message: 'must be the file bytes' })
    .refine((bytes) => bytes.byteLength > 0, 'the file is empty')
    .refine((bytes) => bytes.byteLength <= MAX_IMPORT_BYTES, `at most ${MAX_IMPORT_BYTES} bytes`),
  name: boardName.optional(),
});

type ArgsSchemas = { [M in HubCallMethod]: z.ZodType<Parameters<HubClient[M]>> };

export const HUB_IPC_ARGS: ArgsSchemas = {
  overview: z.tuple([]),
  listBoards: z.tuple([z.strictObject({ trash: z.boolean().optional() }).optional()]),
  getBoard: z.tuple([id]),
  createBoard: z.tuple([boardName]),
  renameBoard: z.tuple([id, boardName]),
  deleteBoard: z.tuple([id]),
  restoreBoard: z.tuple([id]),
  purgeBoard: z.tuple([id]),
  exportBoard: z.tuple([id]),
  importBoard: z.tuple([importInput]),
  openBoard: z.tuple([id]),
  listConnections: z.tuple([id]),
  listShares: z.tuple([id]),
  createShare: z.tuple([
    z.strictObject({
      boardId: id,
      role,
      label: label.optional(),
      ttlMs: z
        .number()
        .int('must be whole milliseconds')
        .positive()
        .max(10 * 365 * 24 * 3600 * 1000, 'at most 10 years')
        .optional(),
    }),
  ]),
  revokeShare: z.tuple([id]),
  setShareRole: z.tuple([id, role]),
  qrSvg: z.tuple([z.string().min(1).max(2000, 'at most 2000 characters')]),
  listPeers: z.tuple([]),
  addPeer: z.tuple([z.string().min(1).max(253, 'at most 253 characters'), port]),
  trustPeer: z.tuple([id]),
  removePeer: z.tuple([id]),
  queryAudit: z.tuple([
    z
      .strictObject({
        ...auditFilterFields,
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .optional(),
  ]),
  verifyAudit: z.tuple([]),
  exportAudit: z.tuple([z.strictObject(auditFilterFields), z.enum(['csv', 'jsonl'])]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([
    z.strictObject({
      name: z.string().min(1).max(63, 'at most 63 characters').optional(),
      lanVisible: z.boolean().optional(),
      port: port.optional(),
      idleUnloadMs: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
    }),
  ]),
  resetAdminToken: z.tuple([]),
};

/** Validates one call's arguments; the message names the method and each problem's place. */
export function parseCallArguments<M extends HubCallMethod>(
  method: M,
  args: readonly unknown[],
): { ok: true; args: Parameters<HubClient[M]> } | { ok: false; message: string } {
  const result = HUB_IPC_ARGS[method].safeParse(args);
  if (result.success) return { ok: true, args: result.data as Parameters<HubClient[M]> };
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `argument ${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  return { ok: false, message: `Invalid arguments for ${method}: ${problems.join('; ')}` };
}
