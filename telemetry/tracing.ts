/**
 * Traces (OpenTelemetry), off unless configured (domain/config.ts `tracing`). The code creates its
 * spans through `@opentelemetry/api` only, which is a no-op without an SDK; `startTracing` loads
 * the SDK and the OTLP/HTTP exporter with dynamic imports, so a process without tracing never
 * loads them. While tracing is off every helper here returns at once.
 *
 * Spans: the upload (api), each AWS call made inside a trace (aws/clients.ts), the job in the worker
 * and its stages, the delivery of a job event to subscribers (api). The W3C trace context crosses
 * the SQS job message and the SNS job event as a `traceparent` message attribute.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { TracingConfig } from '../domain/config.js';

export { SpanKind };

const tracer = trace.getTracer('docpipe');
let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

export interface RunningTracing {
  /** Exports what is buffered and stops; call before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Registers the SDK for this process (once): OTLP/HTTP (JSON) export in batches, the W3C trace
 * context propagator and an AsyncLocalStorage context manager. Without an exporter configured it
 * does nothing and loads nothing.
 */
export async function startTracing(
  config: TracingConfig,
  defaultServiceName: string,
): Promise<RunningTracing> {
  if (!config.endpoint || enabled) return { shutdown: async () => undefined };
  const [{ TracerProvider, BatchSpanProcessor }, { AsyncLocalStorageContextManager }, core, resources, otlp] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
    ]);
  const provider = new TracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': config.serviceName ?? defaultServiceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new otlp.OTLPTraceExporter({ url: config.endpoint }),
        scheduledDelayMillis: config.batchDelayMs,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    async shutdown() {
      enabled = false;
      await provider.shutdown().catch(() => undefined);
    },
  };
}

/** Adds the current trace context (`traceparent`, `tracestate`) to message attributes. */
export function injectTraceContext(attributes: Record<string, string>): Record<string, string> {
  if (enabled) propagation.inject(context.active(), attributes);
  return attributes;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Message attributes carrying the parent's trace context (a message from another process). */
  carrier?: Record<string, string>;
  /** Only inside an existing trace: no span (and no new trace) without a parent (active or carried). */
  onlyInTrace?: boolean;
}

/**
 * Runs `fn` in a new active span that ends when `fn` settles; a thrown error marks it failed.
 * Without tracing, just runs `fn`.
 */
export function withSpan<T>(name: string, opts: SpanOptions, fn: (span?: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const parent = opts.carrier ? propagation.extract(ROOT_CONTEXT, opts.carrier) : context.active();
  if (opts.onlyInTrace && !trace.getSpan(parent)) return fn();
  return tracer.startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Synchronous variant of `withSpan` (e.g. an in-process fan-out). */
export function withSpanSync<T>(name: string, opts: SpanOptions, fn: (span?: Span) => T): T {
  if (!enabled) return fn();
  const parent = opts.carrier ? propagation.extract(ROOT_CONTEXT, opts.carrier) : context.active();
  if (opts.onlyInTrace && !trace.getSpan(parent)) return fn();
  return tracer.startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    parent,
    (span) => {
      try {
        return fn(span);
      } finally {
        span.end();
      }
    },
  );
}
