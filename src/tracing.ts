import { type TracingConfig } from './config';

const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Flushes the spans still buffered and stops exporting. */
export type StopTracing = () => Promise<void>;

/**
 * Starts OpenTelemetry tracing for HTTP, GraphQL and MongoDB. It works by patching those
 * modules as they are loaded, so it must run before anything imports `http`, `express`,
 * `graphql` or `mongodb`: main.ts calls it first and loads the gateway afterwards. The SDK is
 * loaded here, lazily, so that a gateway without tracing never loads it.
 */
export async function startTracing(config: TracingConfig): Promise<StopTracing> {
  const [
    { registerInstrumentations },
    { HttpInstrumentation },
    { GraphQLInstrumentation },
    { MongoDBInstrumentation },
    { resourceFromAttributes },
    { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider },
  ] = await Promise.all([
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-graphql'),
    import('@opentelemetry/instrumentation-mongodb'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const exporter =
    config.exporter === 'console'
      ? new ConsoleSpanExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({
          url: config.otlpTracesUrl,
        });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  // Spans carry shapes, never values: a query's literals, a filter's values and an
  // unsubscribe link's token are personal or secret. These settings say so even where they
  // are the instrumentations' defaults, so that an upgrade cannot quietly change them.
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        redactedQueryParamsServer: ['token'],
        // Probes and scrapes every few seconds would bury the requests worth tracing.
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(req.url ?? ''),
      }),
      new GraphQLInstrumentation({ allowValues: false, ignoreTrivialResolveSpans: true }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  return () => provider.shutdown();
}
