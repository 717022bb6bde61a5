/** The scenario registry, in the order they run within one round. */
import type { ScenarioId } from '../config.js';
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
};

/** Scenarios that only make sense for a server that persists (n/a for the in-memory peer). */
export const needsPersistence: ReadonlySet<ScenarioId> = new Set(['cold-load', 'durability']);
