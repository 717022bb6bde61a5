import Database from 'better-sqlite3';
import * as Y from 'yjs';
import type { Role } from '../../src/auth/roles.js';
import type { HubConfigInput } from '../../src/config.js';
import { type CreateHubOptions, createHub, type Hub } from '../../src/hub.js';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { makeTempDir } from './temp-dir.js';

/** A real hub on 127.0.0.1 with a real SQLite file in a temp folder, removed by stop(). */
export interface TestHub {
  hub: Hub;
  port: number;
  dataDir: string;
  wsBase: string;
  createBoard(name?: string): string;
  share(boardId: string, role: Role, options?: { label?: string; ttlMs?: number }): Promise<string>;
  /** Stops the hub and deletes its folder. */
  stop(): Promise<void>;
}

export async function startTestHub(
  overrides: Partial<HubConfigInput> = {},
  dataDir?: string,
  options: CreateHubOptions = {},
): Promise<TestHub> {
  const temp = dataDir === undefined ? makeTempDir() : null;
  const dir = dataDir ?? (temp?.path as string);
  // mDNS off: only the namespace tests (lan.test.ts) multicast.
  const hub = createHub(
    {
      dataDir: dir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      mdns: false,
      ...overrides,
    },
    options,
  );
  let port: number;
  try {
    ({ port } = await hub.start());
  } catch (error) {
    temp?.remove();
    throw error;
  }
  const actor = { name: 'test' };
  return {
    hub,
    port,
    dataDir: dir,
    wsBase: `ws://127.0.0.1:${port}/ws/canvas`,
    createBoard: (name = 'Test board') => hub.service.createBoard(name, actor).id,
    share: async (boardId, role, options = {}) =>
      (await hub.service.createShare({ boardId, role, ...options }, actor)).token,
    stop: async () => {
      await hub.stop();
      temp?.remove();
    },
  };
}

/** Reads a board's durable content straight from the SQLite file (snapshot + log), as a Y.Doc. */
export function readStoredDoc(dataDir: string, boardId: string): Y.Doc {
  const db = new Database(`${dataDir}/${DATABASE_FILE}`, { readonly: true });
  try {
    const doc = new Y.Doc();
    const snapshot = db
      .prepare<[string], { data: Buffer; upto_seq: number }>(
        'SELECT data, upto_seq FROM doc_snapshots WHERE board_id = ?',
      )
      .get(boardId);
    if (snapshot) Y.applyUpdate(doc, snapshot.data);
    const rows = db
      .prepare<[string, number], { data: Buffer }>(
        'SELECT data FROM doc_updates WHERE board_id = ? AND seq > ? ORDER BY seq',
      )
      .all(boardId, snapshot?.upto_seq ?? 0);
    for (const row of rows) Y.applyUpdate(doc, row.data);
    return doc;
  } finally {
    db.close();
  }
}

/** Runs SQL against a hub's database file from outside (as another process or an attacker would). */
export function withDatabase<T>(dataDir: string, run: (db: Database.Database) => T): T {
  const db = new Database(`${dataDir}/${DATABASE_FILE}`);
  try {
    db.pragma('busy_timeout = 5000');
    return run(db);
  } finally {
    db.close();
  }
}
