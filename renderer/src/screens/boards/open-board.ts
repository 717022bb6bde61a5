import type { HubClient } from '../../../../src/client/hub-client';

/**
 * "Open board": the hub hands out the board page with an owner token. In a browser it opens in a
 * new tab (no opener, no referrer: the tab cannot reach back into the admin session); in the
 * desktop app the main process has already shown it in a board window of its own.
 */
export async function openBoardPage(client: HubClient, boardId: string): Promise<void> {
  const { url } = await client.openBoard(boardId);
  if (client.transport === 'http') window.open(url, '_blank', 'noopener,noreferrer');
}
