import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createElementsBinding } from '../../renderer/board/binding/elements-binding.js';
import type { ExcalidrawElementLike } from '../../renderer/board/binding/schema.js';
import {
  connectSchemaClient,
  readSchemaElements,
  schemaRectangle,
  writeSchemaElement,
} from '../helpers/board-schema-client.js';
import type { TestClient } from '../helpers/clients.js';
import { readStoredDoc, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait.js';

describe('board schema through a real hub: bindings and stock clients agree', () => {
  let hub: TestHub;
  const clients: TestClient[] = [];

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await hub.stop();
  });

  async function join(boardId: string, role: 'view' | 'edit'): Promise<TestClient> {
    const client = await connectSchemaClient(hub.wsBase, boardId, await hub.share(boardId, role));
    clients.push(client);
    return client;
  }

  it('two bindings editing one element at once converge; a stock client and the stored board see the same', async () => {
    const boardId = hub.createBoard();
    const [a, b, stock] = [
      await join(boardId, 'edit'),
      await join(boardId, 'edit'),
      await join(boardId, 'view'),
    ];
    const bindingA = createElementsBinding(a.doc);
    const bindingB = createElementsBinding(b.doc);
    const first = schemaRectangle('shared', { index: 'a0' }) as unknown as ExcalidrawElementLike;
    bindingA.writeLocalChanges([first]);
    await waitFor('b to receive the element', () => bindingB.readElements().length === 1);
    const moved = (x: number) => ({ ...first, x, version: 2, versionNonce: x });
    bindingA.writeLocalChanges([moved(100)]);
    bindingB.writeLocalChanges([moved(200)]);
    const sameEverywhere = () => {
      const scene = JSON.stringify(bindingA.readElements());
      return (
        scene === JSON.stringify(bindingB.readElements()) &&
        scene === JSON.stringify(readSchemaElements(stock.doc))
      );
    };
    await waitFor('every client to converge', sameEverywhere);
    const x = bindingA.readElements()[0]?.x;
    assert.ok(x === 100 || x === 200);
    await waitFor(
      'the hub to store it',
      () => readSchemaElements(readStoredDoc(hub.dataDir, boardId))[0]?.x === x,
    );
  });

  it("a stock client's element appears in a binding; a view client's write is refused and never stored", async () => {
    const boardId = hub.createBoard();
    const [page, writer, viewer] = [
      await join(boardId, 'edit'),
      await join(boardId, 'edit'),
      await join(boardId, 'view'),
    ];
    const binding = createElementsBinding(page.doc);
    const seen: string[][] = [];
    binding.subscribe((elements, change) => {
      if (change.remote) seen.push(elements.map((e) => e.id));
    });
    writeSchemaElement(viewer.doc, schemaRectangle('from-viewer', { index: 'a0' }));
    writeSchemaElement(writer.doc, schemaRectangle('from-node', { index: 'a1', x: 42 }));
    await waitFor('the page to see the stock client’s element', () =>
      seen.some((ids) => ids.includes('from-node')),
    );
    await waitFor('the hub to store it', () =>
      readSchemaElements(readStoredDoc(hub.dataDir, boardId)).some((e) => e.id === 'from-node'),
    );
    assert.deepEqual(
      binding.readElements().map((e) => e.id),
      ['from-node'],
    );
    assert.deepEqual(
      readSchemaElements(readStoredDoc(hub.dataDir, boardId)).map((e) => e.id),
      ['from-node'],
    );
  });
});
