/** The Grafana dashboard (ops/grafana/docpipe.json) queries only metrics the processes export. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectProcessMetrics, registry } from '../../telemetry/metrics.js';

describe('ops/grafana/docpipe.json', () => {
  it('names exported metrics only, and every docpipe metric has a panel', async () => {
    collectProcessMetrics();
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const dashboard = JSON.parse(
      readFileSync(new URL('../../ops/grafana/docpipe.json', import.meta.url), 'utf8'),
    );
    const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    const used = new Set(
      exprs.flatMap((e) =>
        [...e.matchAll(/\b((?:docpipe|nodejs|process)_\w+)/g)].map((m) =>
          m[1]!.replace(/_(bucket|count|sum)$/, ''),
        ),
      ),
    );
    for (const name of used) expect(exported, name).toContain(name);
    for (const name of exported) if (name.startsWith('docpipe_')) expect(used, name).toContain(name);
  });
});
