import type { KeyProtection } from '../auth/key-protector.js';
import type { HubChange, HubSettings } from '../client/hub-client.js';
import { DEFAULT_IDLE_UNLOAD_MS, DEFAULT_PORT } from '../config.js';
import { machineName } from '../net/lan/hub-name.js';
import type { AuditAction } from '../storage/audit-store.js';
import type { MetaStore } from '../storage/meta-store.js';
import type { Actor } from './hub-service.js';
import { readStoredSettings, SettingsPatchSchema, writeStoredSettings } from './settings.js';
import { parseOrThrow } from './validation.js';

/**
 * The hub's settings as the management UI sees and changes them (see settings.ts for where they
 * are kept and how a starting hub combines them with its flags). Name, visibility on the LAN and
 * the idle unload time apply to the running hub at once; the port at the next start, so
 * restartRequired says when the stored port is not the one in use.
 */

/** What a running hub gives the settings use cases: its current state, and how to apply a change. */
export interface LiveSettingsControl {
  current(): {
    lanVisible: boolean;
    /** The port in use now. */
    port: number;
    idleUnloadMs: number;
    /** A name given for this run only (`serve --name`), until the name is changed in the settings. */
    nameOverride: string | undefined;
  };
  /** Moves the listener (and mDNS) to the LAN or back to this machine; may fail (PORT_IN_USE). */
  setLanVisible(visible: boolean): Promise<void>;
  setIdleUnloadMs(ms: number): void;
  /** The stored name is now the name: drop the run's override and re-announce. */
  nameChanged(): void;
}

export interface SettingsContext {
  meta: MetaStore;
  keyProtection(): KeyProtection;
  live?: LiveSettingsControl;
  record(actor: Actor, action: AuditAction, detail: Record<string, unknown>): void;
  changed(change: HubChange): void;
}

type ChangeableSetting = 'name' | 'lanVisible' | 'port' | 'idleUnloadMs';
const CHANGEABLE: readonly ChangeableSetting[] = ['name', 'lanVisible', 'port', 'idleUnloadMs'];

export class SettingsService {
  /** Updates run one at a time: a visibility change awaits a rebind, and two must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly context: SettingsContext) {}

  /** The display name before any mDNS conflict suffix: the run's override, the stored name, the machine's. */
  baseName(): string {
    return (
      this.context.live?.current().nameOverride ?? readStoredSettings(this.context.meta).name ?? machineName()
    );
  }

  get(): HubSettings {
    const stored = readStoredSettings(this.context.meta);
    const live = this.context.live?.current();
    return {
      name: this.baseName(),
      lanVisible: live ? live.lanVisible : (stored.lanVisible ?? false),
      port: stored.port ?? live?.port ?? DEFAULT_PORT,
      idleUnloadMs: live ? live.idleUnloadMs : (stored.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS),
      restartRequired: live !== undefined && stored.port !== undefined && stored.port !== live.port,
      keyProtection: this.context.keyProtection(),
    };
  }

  /** Validates (any subset of name, lanVisible, port, idleUnloadMs), stores, applies, audits. */
  update(patch: unknown, actor: Actor): Promise<HubSettings> {
    const run = this.queue.then(() => this.apply(patch, actor));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(patch: unknown, actor: Actor): Promise<HubSettings> {
    const valid = parseOrThrow(SettingsPatchSchema, patch, 'settings');
    const { live } = this.context;
    const before = this.get();
    // First the part that can fail, so a refused move stores nothing.
    if (live && valid.lanVisible !== undefined && valid.lanVisible !== before.lanVisible) {
      await live.setLanVisible(valid.lanVisible);
    }
    writeStoredSettings(this.context.meta, valid);
    if (live && valid.idleUnloadMs !== undefined) live.setIdleUnloadMs(valid.idleUnloadMs);
    if (live && valid.name !== undefined) live.nameChanged();
    const after = this.get();

    let changed = false;
    for (const setting of CHANGEABLE) {
      if (valid[setting] === undefined || before[setting] === after[setting]) continue;
      changed = true;
      if (setting === 'name') {
        this.context.record(actor, 'hub_rename', { from: before.name, to: after.name });
      } else {
        this.context.record(actor, 'setting_change', { setting, from: before[setting], to: after[setting] });
      }
    }
    if (changed) {
      this.context.changed({ topic: 'settings' });
      this.context.changed({ topic: 'status' });
    }
    return after;
  }
}
