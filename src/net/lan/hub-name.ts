import { hostname } from 'node:os';
import type { MetaStore } from '../../storage/meta-store.js';

/**
 * The hub's display name, as other hubs and the UI show it: set with `serve --name`, remembered
 * in the data folder (hub_meta.display_name), else the machine's name.
 */
export const DISPLAY_NAME_KEY = 'display_name';

/** "anas-laptop" for "anas-laptop.local" or "anas-laptop.example.org". */
export function machineName(): string {
  return hostname().split('.')[0]?.trim() || 'Boardhub';
}

export function storedDisplayName(meta: MetaStore): string {
  return meta.get(DISPLAY_NAME_KEY) ?? machineName();
}
