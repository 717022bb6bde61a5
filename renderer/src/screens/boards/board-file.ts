import type { HubClient } from '../../../../src/client/hub-client';
import { saveFile } from '../../ui/download';

/** Downloads a board as the plain Yjs update the hub exports. */
export async function downloadBoard(client: HubClient, boardId: string): Promise<void> {
  const file = await client.exportBoard(boardId);
  // Copy into a plain ArrayBuffer-backed view: the bytes may come from a shared or foreign buffer.
  saveFile(file.fileName, new Uint8Array(file.bytes), 'application/octet-stream');
}
