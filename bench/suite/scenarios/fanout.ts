/**
 * Subscription fan-out (issue 10): S graphql-ws connections, one `jobUpdated` subscription each, all
 * on one job, then job events handed to the api; time until the last subscriber has each event, and
 * the api's memory per idle subscriber. Baseline, same run: a bare `ws` server broadcasting the same
 * payload to the same number of sockets. Both run bench/fan-out-probe.ts in a process of their own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NODE_FLAGS } from '../../../dev/processes.js';
import { projectRoot } from '../../../dev/project-root.js';
import type { Scenario } from '../scenario.js';
import { row } from '../support.js';

interface ProbeResult {
  subscribed: number;
  failed: number;
  publishToLastMs: { p50: number; worst: number };
  spreadMs: { p50: number; worst: number };
  rssKbPerIdleSubscriber: number;
  rssKbPerIdleSubscriberMarginal: number;
  rssMb: { before: number; idle: number };
  executions: number | string;
}

export const fanout: Scenario = {
  name: 'fanout',
  description: 'S live subscribers of one job: event to the last one, memory per idle subscriber, vs bare ws',
  async run({ smoke, log }) {
    const sockets = smoke ? 50 : 10_000;
    const events = smoke ? 3 : 10;
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-fanout-'));
    try {
      log(`bare ws broadcast: ${sockets} sockets, ${events} events`);
      const bare = await probe(dir, {
        PROBE_BARE: '1',
        PROBE_SOCKETS: String(sockets),
        PROBE_EVENTS: String(events),
      });
      log(`docpipe api: ${sockets} subscribers, ${events} events`);
      const api = await probe(dir, { PROBE_SOCKETS: String(sockets), PROBE_EVENTS: String(events) });
      if (api.subscribed !== sockets || bare.subscribed !== sockets)
        throw new Error(`subscribed: api ${api.subscribed}, bare ${bare.subscribed} of ${sockets}`);
      return [
        row({
          name: `fan-out to ${sockets} subscribers: event → last subscriber, worst`,
          measured: api.publishToLastMs.worst,
          baseline: bare.publishToLastMs.worst,
          unit: 'ms',
          better: 'lower',
          target: '≤ 250 ms',
          meets: (m) => m <= 250,
          smoke,
          detail: { api, bare },
        }),
        row({
          name: `fan-out to ${sockets} subscribers: api RSS per idle subscriber`,
          measured: api.rssKbPerIdleSubscriber,
          baseline: bare.rssKbPerIdleSubscriber,
          unit: 'KB',
          better: 'lower',
          target: '≤ 20 KB',
          meets: (m) => m <= 20,
          smoke,
          detail: {
            marginalKb: api.rssKbPerIdleSubscriberMarginal,
            bareMarginalKb: bare.rssKbPerIdleSubscriberMarginal,
          },
        }),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function probe(dir: string, env: Record<string, string>): Promise<ProbeResult> {
  const out = join(dir, `probe-${env['PROBE_BARE'] ? 'bare' : 'api'}.json`);
  // Both servers run with the api's Node flags, as the api runs everywhere (dev/processes.ts).
  const flags = SERVICE_NODE_FLAGS['server/main.ts'] ?? [];
  await promisify(execFile)(process.execPath, [...flags, '--import', 'tsx', 'bench/fan-out-probe.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PROBE_OUT: out, PROBE_TIMEOUT_S: '120' },
    timeout: 400_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(readFileSync(out, 'utf8')) as ProbeResult;
}
