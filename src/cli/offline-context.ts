import { userInfo } from 'node:os';
import { Keyring } from '../auth/keyring.js';
import { DEFAULT_PORT } from '../config.js';
import { newHubId } from '../ids.js';
import { createLogger } from '../log.js';
import { advertisedAddress } from '../net/join-url.js';
import { createLanPresence, type LanPresence } from '../net/lan/lan-presence.js';
import { readRuntimeInfo } from '../runtime-file.js';
import { type Actor, HubService } from '../service/hub-service.js';
import { openStores } from '../storage/stores.js';

/**
 * Management commands open the data folder directly (SQLite in WAL mode allows this while a hub
 * runs on it) and use the same HubService as the hub. Links point at the running hub if there
 * is one, else at the default address.
 */
export interface OfflineOptions {
  /**
   * Give the service a LAN presence of this process: browse only, never announce; `mdns: false`
   * for commands that only need the peer records (peers add/remove).
   */
  lan?: { mdns: boolean };
}

export async function withService<T>(
  dataDir: string,
  run: (service: HubService) => Promise<T> | T,
  options: OfflineOptions = {},
): Promise<T> {
  const stores = openStores(dataDir);
  let lan: LanPresence | undefined;
  try {
    const keyring = Keyring.open(dataDir);
    const hubId = stores.meta.getOrInit('hub_id', newHubId);
    lan = options.lan ? offlineLan(dataDir, hubId, keyring, stores, options.lan.mdns) : undefined;
    const service = new HubService({
      stores,
      keyring,
      hubId,
      dataDir,
      locate: () => {
        const runtime = readRuntimeInfo(dataDir);
        return runtime
          ? {
              ...advertisedAddress(runtime.host, runtime.mdnsInterfaces ?? [], runtime.mdns ?? false),
              port: runtime.port,
            }
          : { host: '127.0.0.1', port: DEFAULT_PORT };
      },
      lan,
    });
    await lan?.start();
    return await run(service);
  } finally {
    await lan?.stop();
    stores.close();
  }
}

function offlineLan(
  dataDir: string,
  hubId: string,
  keyring: Keyring,
  stores: ReturnType<typeof openStores>,
  mdns: boolean,
): LanPresence {
  const runtime = readRuntimeInfo(dataDir);
  return createLanPresence({
    config: { host: '0.0.0.0', mdns, mdnsInterfaces: runtime?.mdnsInterfaces ?? [], mdnsTtlSeconds: 120 },
    hubId,
    keyring,
    stores,
    log: createLogger('error'),
    port: () => runtime?.port ?? DEFAULT_PORT,
    announce: false,
  });
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
