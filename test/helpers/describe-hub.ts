import { after } from 'node:test';
import { connectSynced, type TestClient } from './clients.js';
import type { TestHub } from './test-hub.js';

/**
 * For a describe() whose tests share one hub and open stock clients on it: registers the after()
 * hook that closes every client the tests tracked and then stops the hub.
 */
export function closeClientsThenHubAfter(hubOf: () => TestHub): {
  track(client: TestClient): TestClient;
  /** A stock y-websocket client on the hub, synced, closed after the describe. */
  connect(boardId: string, token: string): Promise<TestClient>;
} {
  const clients: TestClient[] = [];
  const track = (client: TestClient): TestClient => {
    clients.push(client);
    return client;
  };
  after(async () => {
    for (const client of clients) client.destroy();
    await hubOf().stop();
  });
  return {
    track,
    connect: async (boardId, token) => track(await connectSynced(hubOf().wsBase, boardId, token)),
  };
}
