/**
 * The contract every `npm run bench` scenario follows. A scenario measures one figure of the
 * product and its baseline in the same run (never a remembered number), on loopback only, bounded
 * in count and time, and stops everything it starts.
 */
export interface BenchRow {
  /** What was measured, e.g. "worker docs/s (300 small text docs)". */
  name: string;
  /** docpipe's figure. */
  measured: number;
  /** The baseline measured in the same run (raw SDK calls, bare ws broadcast, …); null if none. */
  baseline: number | null;
  unit: string;
  /** 'higher' when bigger is better (throughput), 'lower' for latency and memory. */
  better: 'higher' | 'lower';
  /** measured ÷ baseline (null without a baseline). */
  ratio: number | null;
  /** The target as the issue states it, e.g. "ratio ≥ 0.6" or "≤ 250 ms". */
  target: string;
  /** Whether the target is met; null when it cannot be judged from this run (e.g. smoke runs). */
  met: boolean | null;
  /** Anything else worth keeping (percentiles, AWS calls per job, RSS samples). */
  detail?: Record<string, unknown>;
}

export interface ScenarioContext {
  /** A tiny run (CI smoke test): the same code path with the smallest counts that exercise it. */
  smoke: boolean;
  /** Progress lines for the terminal (stderr). */
  log(line: string): void;
}

export interface Scenario {
  /** Short name used on the command line: `npm run bench -- <name>`. */
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<BenchRow[]>;
}
