import { connectClient, type TestClient } from './clients.js';
import { waitFor } from './wait.js';

/**
 * Connects a stock client and records it in `into` before waiting for its sync, so a test that
 * fails while waiting still destroys it: a live provider keeps reconnecting, and the test process
 * would never exit.
 */
export async function connectTracked(
  into: TestClient[],
  wsBase: string,
  boardId: string,
  token: string,
): Promise<TestClient> {
  const client = connectClient(wsBase, boardId, token);
  into.push(client);
  await waitFor('client to sync', () => client.provider.synced);
  return client;
}
