/**
 * Turns per-run metrics into the summary: medians per server, Boardhub's ratio to each peer
 * with an explicit better/worse verdict, and the targets from the brief (reported, never
 * asserted: speed is noisy on shared machines).
 */
import type { ScenarioId } from './config.js';
import { abuseTargets, attackIds } from './scenarios/abuse.js';
import type { ServerId } from './servers/types.js';
import { median } from './stats.js';

export interface RunRecord {
  run: number;
  scenario: ScenarioId;
  server: ServerId;
  status: 'ok' | 'error' | 'n/a';
  metrics: Record<string, number>;
  problems: string[];
  /** per-phase descriptions (the abuse scenario: how the hub treated each attacker) */
  notes?: string[];
  error?: string;
  seconds: number;
}

type Direction = 'lower' | 'higher';

interface MetricSpec {
  scenario: ScenarioId;
  key: string;
  label: string;
  unit: string;
  better: Direction;
  digits: number;
  target?: { text: string; met(boardhub: number, peers: Partial<Record<ServerId, number>>): boolean | null };
}

const aheadOfBoth =
  (better: Direction) =>
  (b: number, peers: Partial<Record<ServerId, number>>): boolean | null => {
    const values = [peers['y-websocket-server'], peers.hocuspocus].filter((v): v is number =>
      Number.isFinite(v),
    );
    if (values.length === 0) return null;
    return values.every((p) => (better === 'lower' ? b < p : b > p));
  };

export const metricSpecs: MetricSpec[] = [
  {
    scenario: 'latency',
    key: 'p50Ms',
    label: 'latency p50',
    unit: 'ms',
    better: 'lower',
    digits: 2,
  },
  {
    scenario: 'latency',
    key: 'p99Ms',
    label: 'latency p99',
    unit: 'ms',
    better: 'lower',
    digits: 2,
    target: { text: 'ahead of both peers', met: aheadOfBoth('lower') },
  },
  { scenario: 'latency', key: 'maxMs', label: 'latency max', unit: 'ms', better: 'lower', digits: 1 },
  {
    scenario: 'latency',
    key: 'serverCpuMs',
    label: 'server CPU, latency stream',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'burst',
    key: 'updatesPerSec',
    label: 'burst throughput',
    unit: 'updates/s',
    better: 'higher',
    digits: 0,
    target: { text: 'ahead of both peers', met: aheadOfBoth('higher') },
  },
  {
    scenario: 'burst',
    key: 'serverCpuMs',
    label: 'server CPU, burst',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'many-rooms',
    key: 'rssPerConnKiB',
    label: 'server RSS per connection',
    unit: 'KiB',
    better: 'lower',
    digits: 1,
    target: {
      text: 'no worse than @y/websocket-server',
      met: (b, peers) => {
        const yws = peers['y-websocket-server'];
        return yws === undefined || !Number.isFinite(yws) ? null : b <= yws;
      },
    },
  },
  {
    scenario: 'many-rooms',
    key: 'idleRssMiB',
    label: 'server idle RSS (settled)',
    unit: 'MiB',
    better: 'lower',
    digits: 1,
  },
  {
    scenario: 'many-rooms',
    key: 'idleRssEarlyMiB',
    label: 'server idle RSS ~2 s after the start',
    unit: 'MiB',
    better: 'lower',
    digits: 1,
  },
  {
    scenario: 'many-rooms',
    key: 'connectedRssMiB',
    label: 'server RSS with all clients connected',
    unit: 'MiB',
    better: 'lower',
    digits: 1,
  },
  {
    scenario: 'many-rooms',
    key: 'connectCpuMs',
    label: 'server CPU, connecting all clients',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'many-rooms',
    key: 'editCpuMs',
    label: 'server CPU, edits in all rooms',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'many-rooms',
    key: 'connectMs',
    label: 'time to connect + sync all clients',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'cold-load',
    key: 'loadMs',
    label: 'cold load (connect to full content)',
    unit: 'ms',
    better: 'lower',
    digits: 1,
    target: {
      text: 'at least as fast as Hocuspocus',
      met: (b, peers) =>
        peers.hocuspocus === undefined || !Number.isFinite(peers.hocuspocus) ? null : b <= peers.hocuspocus,
    },
  },
  {
    scenario: 'cold-load',
    key: 'restartMs',
    label: 'restart (spawn to listening)',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'cold-load',
    key: 'stopMs',
    label: 'clean stop (SIGTERM to exit)',
    unit: 'ms',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'cold-load',
    key: 'diskKiB',
    label: 'data on disk after the writes',
    unit: 'KiB',
    better: 'lower',
    digits: 0,
  },
  {
    scenario: 'durability',
    key: 'lost',
    label: 'updates lost after kill -9',
    unit: 'updates',
    better: 'lower',
    digits: 0,
    target: { text: 'zero', met: (b) => b === 0 },
  },
  {
    scenario: 'durability',
    key: 'lostPct',
    label: 'share of the updates a reader had seen that were lost',
    unit: '%',
    better: 'lower',
    digits: 1,
  },
  ...abuseSpecs(),
];

/** Per attack: the normal room's p99 and max against the quiet phase, the hub's memory and /healthz. */
function abuseSpecs(): MetricSpec[] {
  const quiet: MetricSpec[] = [
    {
      scenario: 'abuse',
      key: 'quiet.p99Ms',
      label: 'abuse, quiet: normal room p99',
      unit: 'ms',
      better: 'lower',
      digits: 2,
    },
    {
      scenario: 'abuse',
      key: 'quiet.peakRssMiB',
      label: 'abuse, quiet: peak RSS',
      unit: 'MiB',
      better: 'lower',
      digits: 0,
    },
  ];
  const perAttack = attackIds.flatMap((attack): MetricSpec[] => [
    {
      scenario: 'abuse',
      key: `${attack}.p99xQuiet`,
      label: `abuse, ${attack}: normal room p99 / quiet`,
      unit: 'x',
      better: 'lower',
      digits: 2,
      target: { text: `<= ${abuseTargets.p99xQuiet}x quiet`, met: (b) => b <= abuseTargets.p99xQuiet },
    },
    {
      scenario: 'abuse',
      key: `${attack}.maxMs`,
      label: `abuse, ${attack}: normal room max`,
      unit: 'ms',
      better: 'lower',
      digits: 0,
    },
    {
      scenario: 'abuse',
      key: `${attack}.rssOverQuietMiB`,
      label: `abuse, ${attack}: peak RSS - quiet`,
      unit: 'MiB',
      better: 'lower',
      digits: 0,
      target: {
        text: `<= quiet + ${abuseTargets.rssOverQuietMiB} MiB`,
        met: (b) => b <= abuseTargets.rssOverQuietMiB,
      },
    },
    {
      scenario: 'abuse',
      key: `${attack}.healthzWorstMs`,
      label: `abuse, ${attack}: /healthz worst (2,000 = no answer)`,
      unit: 'ms',
      better: 'lower',
      digits: 0,
    },
  ]);
  return [...quiet, ...perAttack];
}

export type Medians = Partial<Record<ServerId, Record<string, number>>>;

/** Median of every metric per server, keyed "scenario.metric", over the runs that succeeded. */
export function computeMedians(records: RunRecord[]): Medians {
  const grouped = new Map<ServerId, Map<string, number[]>>();
  for (const record of records) {
    if (record.status !== 'ok') continue;
    const byMetric = grouped.get(record.server) ?? new Map<string, number[]>();
    grouped.set(record.server, byMetric);
    for (const [key, value] of Object.entries(record.metrics)) {
      const name = `${record.scenario}.${key}`;
      byMetric.set(name, [...(byMetric.get(name) ?? []), value]);
    }
  }
  const medians: Medians = {};
  for (const [server, byMetric] of grouped) {
    medians[server] = Object.fromEntries([...byMetric].map(([name, values]) => [name, median(values)]));
  }
  return medians;
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "0.62x (better)": Boardhub's value divided by the peer's, judged by the metric's direction. */
export function ratioCell(b: number | undefined, p: number | undefined, better: Direction): string {
  if (b === undefined || p === undefined || !Number.isFinite(b) || !Number.isFinite(p)) return 'n/a';
  if (p === 0) return b === 0 ? 'equal (both 0)' : 'n/a (peer 0)';
  const ratio = b / p;
  const verdict =
    Math.abs(ratio - 1) < 0.005 ? 'same' : ratio < 1 === (better === 'lower') ? 'better' : 'worse';
  return `${ratio.toFixed(2)}x (${verdict})`;
}

export interface TableRow {
  metric: string;
  better: Direction;
  values: Partial<Record<ServerId, number>>;
  vsYws: string;
  vsHocuspocus: string;
  target: string;
}

/** One row per metric of the scenarios that ran. */
export function buildRows(medians: Medians, ran: readonly ScenarioId[]): TableRow[] {
  return metricSpecs
    .filter((spec) => ran.includes(spec.scenario))
    .map((spec) => {
      const name = `${spec.scenario}.${spec.key}`;
      const values: Partial<Record<ServerId, number>> = {
        boardhub: medians.boardhub?.[name],
        'y-websocket-server': medians['y-websocket-server']?.[name],
        hocuspocus: medians.hocuspocus?.[name],
      };
      const b = values.boardhub;
      let target = '';
      if (spec.target) {
        const met = b === undefined || !Number.isFinite(b) ? null : spec.target.met(b, values);
        target = `${spec.target.text}: ${met === null ? 'not measurable' : met ? 'met' : 'NOT met'}`;
      }
      return {
        metric: `${spec.label} (${spec.unit})`,
        better: spec.better,
        values,
        vsYws: ratioCell(b, values['y-websocket-server'], spec.better),
        vsHocuspocus: ratioCell(b, values.hocuspocus, spec.better),
        target,
      };
    });
}

export function markdownTable(rows: TableRow[]): string {
  const digits = new Map(metricSpecs.map((s) => [`${s.label} (${s.unit})`, s.digits]));
  const header = [
    '| Metric | Better | Boardhub | @y/websocket-server | Hocuspocus | Boardhub vs y-websocket-server | Boardhub vs Hocuspocus | Target |',
    '|---|---|---:|---:|---:|---|---|---|',
  ];
  const lines = rows.map((row) => {
    const d = digits.get(row.metric) ?? 1;
    return `| ${row.metric} | ${row.better} | ${format(row.values.boardhub, d)} | ${format(row.values['y-websocket-server'], d)} | ${format(row.values.hocuspocus, d)} | ${row.vsYws} | ${row.vsHocuspocus} | ${row.target} |`;
  });
  return [...header, ...lines].join('\n');
}
