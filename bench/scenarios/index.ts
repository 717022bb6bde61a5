/** The scenario registry, in the order they run within one round. */
import type { ScenarioId } from '../config.js';
import type { ServerAdapter } from '../servers/types.js';
import { abuse } from './abuse.js';
import { burst } from './burst.js';
import { coldLoad } from './cold-load.js';
import { durability } from './durability.js';
import type { Scenario } from './harness.js';
import { latency } from './latency.js';
import { manyRooms } from './many-rooms.js';

export const scenarios: Record<ScenarioId, Scenario> = {
  latency,
  burst,
  'many-rooms': manyRooms,
  'cold-load': coldLoad,
  durability,
  abuse,
};

/** Scenarios that only make sense for a server that persists (n/a for the in-memory peer). */
export const needsPersistence: ReadonlySet<ScenarioId> = new Set(['cold-load', 'durability']);

/** False when the scenario is n/a for this server: it does not persist, or it has no roles (abuse). */
export function applies(scenario: ScenarioId, adapter: ServerAdapter): boolean {
  if (needsPersistence.has(scenario) && !adapter.persistent) return false;
  if (scenario === 'abuse' && adapter.shareLink === undefined) return false;
  return true;
}

/** Runs in the first round only: it has its own baseline (its quiet phase) and takes minutes. */
export const firstRoundOnly: ReadonlySet<ScenarioId> = new Set(['abuse']);
