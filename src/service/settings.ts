import { z } from 'zod';
import { DEFAULT_PORT, type ExplicitSettings, type HubConfig, MAX_TIMER_MS } from '../config.js';
import { DISPLAY_NAME_KEY } from '../net/lan/hub-name.js';
import { isLoopbackHost } from '../net/lan/interfaces.js';
import type { MetaStore } from '../storage/meta-store.js';
import { HubNameSchema } from './lan-service.js';

/**
 * The settings the management UI changes, kept in the data folder (hub_meta), and how a hub
 * starting up combines them with its configuration. Precedence, per setting:
 *   1. given explicitly in the config (a `serve` flag): wins for this run, never saved;
 *   2. stored in the data folder (set through the UI / PATCH /api/settings, or a port fallback);
 *   3. the default (loopback — or visible when lanVisibleByDefault —, port 7420, 30 min, machine name).
 */
export interface StoredSettings {
  name?: string;
  lanVisible?: boolean;
  port?: number;
  idleUnloadMs?: number;
}

const KEYS = {
  lanVisible: 'setting_lan_visible',
  port: 'setting_port',
  idleUnloadMs: 'setting_idle_unload_ms',
} as const;

const PortSchema = z.number().int().min(1, 'at least 1').max(65535, 'at most 65535');
const IdleUnloadSchema = z
  .number()
  .int('must be whole milliseconds')
  .min(0, 'must not be negative')
  .max(MAX_TIMER_MS, 'at most 24 days');

/** PATCH /api/settings and HubService.updateSettings: any subset, nothing else. */
export const SettingsPatchSchema = z.strictObject({
  name: HubNameSchema.optional(),
  lanVisible: z.boolean().optional(),
  port: PortSchema.optional(),
  idleUnloadMs: IdleUnloadSchema.optional(),
});
export type SettingsPatch = z.output<typeof SettingsPatchSchema>;

const storedNumber = (raw: string | undefined, schema: z.ZodType<number>): number | undefined => {
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const parsed = schema.safeParse(Number(raw));
  return parsed.success ? parsed.data : undefined;
};

/** What the data folder holds; a malformed value (edited by hand) counts as absent. */
export function readStoredSettings(meta: MetaStore): StoredSettings {
  const visible = meta.get(KEYS.lanVisible);
  return {
    name: meta.get(DISPLAY_NAME_KEY),
    lanVisible: visible === 'true' ? true : visible === 'false' ? false : undefined,
    port: storedNumber(meta.get(KEYS.port), PortSchema),
    idleUnloadMs: storedNumber(meta.get(KEYS.idleUnloadMs), IdleUnloadSchema),
  };
}

export function writeStoredSettings(meta: MetaStore, patch: SettingsPatch): void {
  if (patch.name !== undefined) meta.set(DISPLAY_NAME_KEY, patch.name);
  if (patch.lanVisible !== undefined) meta.set(KEYS.lanVisible, String(patch.lanVisible));
  if (patch.port !== undefined) meta.set(KEYS.port, String(patch.port));
  if (patch.idleUnloadMs !== undefined) meta.set(KEYS.idleUnloadMs, String(patch.idleUnloadMs));
}

/** Where a starting hub listens and how its rooms behave. */
export interface StartSettings {
  /** The address to bind now. */
  host: string;
  /** Bound when the hub becomes visible on the LAN: 0.0.0.0, or the LAN address it was given. */
  lanHost: string;
  /** Bound when it is hidden: 127.0.0.1, or the loopback name it was given. */
  loopbackHost: string;
  port: number;
  idleUnloadMs: number;
}

export function resolveStartSettings(
  config: Pick<HubConfig, 'lanVisibleByDefault' | 'idleUnloadMs'>,
  explicit: ExplicitSettings,
  stored: StoredSettings,
): StartSettings {
  const given = explicit.host;
  const lanHost = given !== undefined && !isLoopbackHost(given) ? given : '0.0.0.0';
  const loopbackHost = given !== undefined && isLoopbackHost(given) ? given : '127.0.0.1';
  const visible = stored.lanVisible ?? config.lanVisibleByDefault;
  return {
    host: given ?? (visible ? lanHost : loopbackHost),
    lanHost,
    loopbackHost,
    port: explicit.port ?? stored.port ?? DEFAULT_PORT,
    idleUnloadMs: explicit.idleUnloadMs ?? stored.idleUnloadMs ?? config.idleUnloadMs,
  };
}
