import { createServer, type Server } from 'node:http';

import { type RequestHandler } from 'express';
import { type MongoClient } from 'mongodb';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { type Logger } from '../logger';

/** One answered GraphQL request, as the access log records it. */
export interface RequestObservation {
  operationName?: string;
  /** Undefined when the request never reached a valid operation (parse or validation error). */
  operationType?: string;
  /** `ok`, the error codes, `http <status>` or `aborted`: the access log's outcome. */
  outcome: string;
  errorCodes: readonly string[];
  durationSeconds: number;
}

/**
 * Operation names are chosen by clients, so a client could mint a new time series with every
 * request; past this many distinct names the rest are counted together as `other`.
 */
const MAX_OPERATION_NAMES = 200;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DATABASE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways share a test
 * process). Labels carry operation names, types and error codes, never variables or anything a
 * client sent as data.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();

  private readonly requests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: 'GraphQL requests answered, by operation name, operation type and outcome',
    labelNames: ['operation_name', 'operation_type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to its response being sent',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL requests that failed, by error code (a request counts once per code)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly commands = new Histogram({
    name: 'gateway_mongodb_command_duration_seconds',
    help: 'MongoDB command round trips, by command name and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: DATABASE_BUCKETS,
    registers: [this.registry],
  });

  private readonly poolOpen = new Gauge({
    name: 'gateway_mongodb_pool_connections',
    help: 'Connections open in the MongoDB driver pools',
    registers: [this.registry],
  });

  private readonly poolInUse = new Gauge({
    name: 'gateway_mongodb_pool_connections_in_use',
    help: 'Pool connections checked out by an operation',
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, handles, GC and event-loop lag (nodejs_eventloop_lag_seconds).
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one answered GraphQL request. */
  observeRequest(request: RequestObservation): void {
    const labels = {
      operation_name: this.operationLabel(request),
      operation_type: request.operationType ?? 'none',
    };
    this.requests.inc({ ...labels, outcome: request.outcome });
    this.latency.observe(labels, request.durationSeconds);
    for (const code of new Set(request.errorCodes)) this.errors.inc({ code });
  }

  /**
   * Watches a driver client's command events (the client needs `monitorCommands`) and its
   * connection pool events, which the driver always emits.
   */
  watchDatabase(client: MongoClient): void {
    client.on('commandSucceeded', (event) => {
      this.commands.observe({ command: event.commandName, outcome: 'ok' }, event.duration / 1000);
    });
    client.on('commandFailed', (event) => {
      this.commands.observe(
        { command: event.commandName, outcome: 'failed' },
        event.duration / 1000,
      );
    });
    client.on('connectionCreated', () => this.poolOpen.inc());
    client.on('connectionClosed', () => this.poolOpen.dec());
    client.on('connectionCheckedOut', () => this.poolInUse.inc());
    client.on('connectionCheckedIn', () => this.poolInUse.dec());
  }

  /** `GET /metrics` in Prometheus's text format. */
  readonly handler: RequestHandler = async (_req, res) => {
    const text = await this.registry.metrics();
    res.type(this.registry.contentType).send(text);
  };

  private operationLabel(request: RequestObservation): string {
    if (request.operationType === undefined) return 'none';
    const name = request.operationName ?? 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }
}

/**
 * A server of its own for `GET /metrics` (`METRICS_PORT`), so that in production metrics stay off
 * the public port: only that one path answers.
 */
export function createMetricsServer(metrics: GatewayMetrics, logger: Logger): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'could not collect metrics');
        res.writeHead(500).end();
      },
    );
  });
}
