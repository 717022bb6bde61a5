import type { HubClient } from '../../../../src/client/hub-client';
import { saveFile } from '../../ui/download';

/** Downloads a board as the hub exports it (the Yjs update, or a bundle with its images). */
export async function downloadBoard(client: HubClient, boardId: string): Promise<void> {
  const file = await client.exportBoard(boardId);
  // Copy into a plain ArrayBuffer-backed view: the bytes may come from a shared or foreign buffer.
  saveFile(file.fileName, new Uint8Array(file.bytes), 'application/octet-stream');
}
