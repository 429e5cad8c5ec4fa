/** How the observability variables resolve (domain/config.ts). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../domain/config.js';
import { startTracing, tracingEnabled } from '../../telemetry/tracing.js';

const tracing = (env: Record<string, string>) => loadConfig(env).observability.tracing.endpoint;

describe('observability configuration', () => {
  it('turns tracing on only with an OTLP endpoint or TRACING=otlp', () => {
    expect(tracing({})).toBeUndefined();
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/traces',
      }),
    ).toBe('http://other:4318/traces');
    expect(tracing({ TRACING: 'otlp' })).toBe('http://localhost:4318/v1/traces');
    expect(tracing({ TRACING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeUndefined();
    expect(
      tracing({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBeUndefined();
  });

  it('serves the api /metrics by default outside production only', () => {
    expect(loadConfig({}).observability.apiMetrics).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).observability.apiMetrics).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_ENABLED: 'true' }).observability.apiMetrics).toBe(
      true,
    );
    expect(loadConfig({}).observability.workerMetricsPort).toBeUndefined();
    expect(loadConfig({ WORKER_METRICS_PORT: '0' }).observability.workerMetricsPort).toBe(0);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });

  it('loads nothing when tracing is off', async () => {
    const running = await startTracing(loadConfig({}).observability.tracing, 'x');
    expect(tracingEnabled()).toBe(false);
    await running.shutdown();
  });
});
