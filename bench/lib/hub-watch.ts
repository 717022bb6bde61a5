/**
 * Watches a running hub from the orchestrator while something is done to it: its peak RSS
 * (sampled from /proc every 100 ms) and whether /healthz answers (one request at a time, each
 * given a bounded wait), so a hub that stops answering shows up as a figure, never as a hang.
 */
import { sampleProc, sleep } from './proc.js';

const sampleEveryMs = 100;
/** A /healthz request unanswered this long counts as "no answer" (its wait is the worst time then). */
export const healthzTimeoutMs = 2_000;

export interface WatchSummary {
  peakRssKiB: number;
  healthzRequests: number;
  /** requests that got no 200 within healthzTimeoutMs */
  healthzUnanswered: number;
  healthzWorstMs: number;
}

export interface HubWatch {
  /** Ends the watch; waits for the one /healthz request in flight (at most healthzTimeoutMs). */
  stop(): Promise<WatchSummary>;
}

/** One GET /healthz: its duration and whether it was answered with 200 in time. */
export async function probeHealthz(port: number): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(healthzTimeoutMs),
    });
    await response.arrayBuffer();
    return { ms: performance.now() - started, ok: response.ok };
  } catch {
    return { ms: performance.now() - started, ok: false };
  }
}

/** True once /healthz answers 200, false if it has not within `withinMs`. */
export async function waitHealthy(port: number, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    if ((await probeHealthz(port)).ok) return true;
    await sleep(200);
  }
  return false;
}

export function watchHub(pid: number, port: number): HubWatch {
  const summary: WatchSummary = {
    peakRssKiB: 0,
    healthzRequests: 0,
    healthzUnanswered: 0,
    healthzWorstMs: 0,
  };
  let running = true;
  const sampler = setInterval(() => {
    try {
      summary.peakRssKiB = Math.max(summary.peakRssKiB, sampleProc(pid).rssKiB);
    } catch {
      // The hub died: the scenario notices through the server's crash report.
    }
  }, sampleEveryMs);
  const prober = (async () => {
    while (running) {
      const { ms, ok } = await probeHealthz(port);
      summary.healthzRequests++;
      if (!ok) summary.healthzUnanswered++;
      summary.healthzWorstMs = Math.max(summary.healthzWorstMs, ms);
      await sleep(sampleEveryMs);
    }
  })();
  return {
    async stop() {
      running = false;
      clearInterval(sampler);
      await prober;
      return summary;
    },
  };
}
