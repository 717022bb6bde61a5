import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { startCheckpointer } from '../../src/storage/checkpointer.js';
import { openStores } from '../../src/storage/stores.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

describe('WAL checkpoints in a worker thread', () => {
  it('copies committed pages into the database file while the hub connection never checkpoints', async () => {
    const dir = makeTempDir();
    const stores = openStores(dir.path, { autoCheckpoint: false });
    try {
      const now = Date.now();
      for (let i = 0; i < 200; i++)
        stores.boards.create(`b_board_${i}`, `Board ${i} ${'x'.repeat(200)}`, now);
      const before = statSync(stores.file).size;
      assert.ok(statSync(`${stores.file}-wal`).size > before, 'the writes sit in the WAL');

      const checkpointer = startCheckpointer(stores.file, 50, createLogger('silent'), 0);
      try {
        await waitFor('the database file to receive the pages', () => statSync(stores.file).size > before);
      } finally {
        await checkpointer.stop();
      }
      assert.equal(stores.boards.listActive().length, 200);
    } finally {
      stores.close();
      dir.remove();
    }
  });

  it('stopping before the worker started is immediate and leaves nothing running', async () => {
    const dir = makeTempDir();
    const stores = openStores(dir.path, { autoCheckpoint: false });
    try {
      await startCheckpointer(stores.file, 50, createLogger('silent'), 60_000).stop();
    } finally {
      stores.close();
      dir.remove();
    }
  });
});
