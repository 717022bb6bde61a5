/** Adapter for the in-memory @y/websocket-server peer, driven by y-websocket's WebsocketProvider. */
import { freePort, makeTempDir } from '../lib/proc.js';
import { compiledEntry, lifecycle, startServer } from './spawn.js';
import type { PreparedData, RunningServer, ServerAdapter } from './types.js';

export const yWebsocketServer: ServerAdapter = {
  id: 'y-websocket-server',
  label: '@y/websocket-server 0.1.1 (in memory)',
  persistent: false,
  warnings: new Set<string>(),
  unavailableReason: () => null,

  async prepare(boards: number): Promise<PreparedData> {
    // Rooms are created on first connect; nothing to prepare beyond names.
    const dir = makeTempDir('yws');
    return { dir, boards: Array.from({ length: boards }, (_, i) => ({ room: `board-${i}`, params: {} })) };
  },

  async start(_dataDir: string): Promise<RunningServer> {
    const port = await freePort();
    const env = { ...process.env };
    delete env.YPERSISTENCE; // keep it the documented in-memory server
    const server = await startServer(
      [...compiledEntry('./y-websocket-server.main.ts'), String(port)],
      port,
      env,
    );
    return {
      ...lifecycle(server),
      port,
      target: (board) => ({
        kind: 'y-websocket',
        serverUrl: `ws://127.0.0.1:${port}`,
        room: board.room,
        params: board.params,
      }),
    };
  },
};
