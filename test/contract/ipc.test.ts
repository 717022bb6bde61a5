import { registerHubIpcHandlers } from '../../electron/ipc/hub-ipc-main.js';
import { createIpcHubClient } from '../../electron/ipc/hub-ipc-renderer.js';
import { isTrustedIpcSender } from '../../electron/ipc/sender-policy.js';
import { createServiceHubClient } from '../../src/client/service-hub-client.js';
import { createInMemoryIpc } from '../electron/in-memory-ipc.js';
import { describeHubClientContract } from './hub-client-contract.js';

/**
 * The desktop app's HubClient: the preload's IPC client and the main process's handlers (with the
 * app's real sender policy), joined in-process by a channel pair that clones every argument and
 * result as Electron's IPC does, over the in-process service client. Only Electron's transport
 * itself is left out: test/electron/smoke.test.ts covers it where an Electron binary exists.
 */
describeHubClientContract('ipc', async (hub) => {
  const ipc = createInMemoryIpc();
  const window = { webContentsId: ipc.webContentsId, mainFrame: ipc.frame };
  registerHubIpcHandlers(ipc.main, createServiceHubClient(hub.hub, { name: 'desktop app' }), (event) =>
    isTrustedIpcSender(event, window),
  );
  return createIpcHubClient(ipc.renderer);
});
