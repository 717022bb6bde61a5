/** Adapter for the Hocuspocus 3.4.4 peer (stock SQLite extension), driven by HocuspocusProvider. */
import { join } from 'node:path';
import { freePort, makeTempDir } from '../lib/proc.js';
import { compiledEntry, lifecycle, startServer } from './spawn.js';
import type { PreparedData, RunningServer, ServerAdapter } from './types.js';

export const hocuspocus: ServerAdapter = {
  id: 'hocuspocus',
  label: 'Hocuspocus 3.4.4 + extension-sqlite',
  persistent: true,
  warnings: new Set<string>(),
  unavailableReason: () => null,

  async prepare(boards: number): Promise<PreparedData> {
    // Documents are created on first connect; the SQLite file is created by the server.
    const dir = makeTempDir('hocuspocus');
    return { dir, boards: Array.from({ length: boards }, (_, i) => ({ room: `board-${i}`, params: {} })) };
  },

  async start(dataDir: string): Promise<RunningServer> {
    const port = await freePort();
    const database = join(dataDir, 'hocuspocus.sqlite');
    const server = await startServer(
      [...compiledEntry('./hocuspocus.main.ts'), String(port), database],
      port,
    );
    return {
      ...lifecycle(server),
      port,
      target: (board) => ({ kind: 'hocuspocus', url: `ws://127.0.0.1:${port}`, name: board.room }),
    };
  },
};
