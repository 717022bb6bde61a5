import { userInfo } from 'node:os';
import { Keyring } from '../auth/keyring.js';
import { DEFAULT_PORT } from '../config.js';
import { newHubId } from '../ids.js';
import { readRuntimeInfo } from '../runtime-file.js';
import { type Actor, HubService } from '../service/hub-service.js';
import { openStores } from '../storage/stores.js';

/**
 * Management commands open the data folder directly (SQLite in WAL mode allows this while a hub
 * runs on it) and use the same HubService as the hub. Links point at the running hub if there
 * is one, else at the default address.
 */
export async function withService<T>(
  dataDir: string,
  run: (service: HubService) => Promise<T> | T,
): Promise<T> {
  const stores = openStores(dataDir);
  try {
    const keyring = Keyring.open(dataDir);
    const hubId = stores.meta.getOrInit('hub_id', newHubId);
    const service = new HubService({
      stores,
      keyring,
      hubId,
      dataDir,
      locate: () => {
        const runtime = readRuntimeInfo(dataDir);
        return runtime
          ? { host: runtime.host, port: runtime.port }
          : { host: '127.0.0.1', port: DEFAULT_PORT };
      },
    });
    return await run(service);
  } finally {
    stores.close();
  }
}

export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers): keep "unknown".
  }
  return { name: `cli:${user}` };
}
