import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { ROLES, type Role } from './auth/roles';

/**
 * A published, development-only signing secret, so that `npm start` works on a fresh machine.
 * It is used only on development defaults: no `AUTH_*` setting, no `MONGODB_URI`, not production.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';
/** A published, development-only key for unsubscribe links: used on development defaults alone. */
export const DEVELOPMENT_UNSUBSCRIBE_SECRET = 'development-only-unsubscribe-key-0123456789';

/** Where the gateway listens on development defaults: this machine only. */
export const DEVELOPMENT_HOST = '127.0.0.1';

const PROVIDER_KINDS = ['uri', 'mongod', 'embedded'] as const;
export type DatabaseProviderKind = (typeof PROVIDER_KINDS)[number];

const port = z.coerce.number<string>().int().min(0).max(65535);
const positiveInt = (fallback: number) => z.coerce.number<string>().int().min(1).default(fallback);
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * A comma-separated list of exact browser origins (`https://shop.example.com`): no wildcard,
 * no path, written as the browser sends it in `Origin`, so that a plain string match is safe.
 */
const originList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .superRefine((origins, context) => {
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      const exact = parsed && /^https?:$/.test(parsed.protocol) && parsed.origin === origin;
      if (!exact) {
        context.addIssue({
          code: 'custom',
          message: `"${origin}" is not an exact origin such as https://shop.example.com`,
        });
      }
    }
  });

const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** A comma-separated list, each item trimmed and checked by `item`. */
const list = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(item).min(1));

/** A calendar date, `1900-01-01`, as a Date at UTC midnight (see src/calendar.ts). */
const calendarDate = z.iso
  .date('must be a date such as 1900-01-01')
  .transform((day) => new Date(day));

const databaseSchema = z.object({
  MONGODB_URI: optionalText.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  MONGO_PROVIDER: optionalText.pipe(z.enum(PROVIDER_KINDS).optional()),
  EMBEDDED_MONGO_DATA: optionalText,
  EMBEDDED_MONGO_PORT: optionalText.pipe(port.optional()),
  MONGODB_DATABASE: optionalText.pipe(z.string().optional()),
});

const environmentSchema = databaseSchema.extend({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: optionalText.pipe(port.default(4000)),
  HOST: optionalText,
  MONGODB_TIMEOUT_MS: optionalText.pipe(positiveInt(5000)),
  LOG_LEVEL: optionalText.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  AUTH_JWT_SECRET: optionalText.pipe(
    z.string().min(32, 'must be at least 32 characters (HS256 key)').optional(),
  ),
  AUTH_JWKS_URL: optionalText.pipe(z.url().optional()),
  AUTH_JWT_ISSUER: optionalText,
  AUTH_MAX_TOKEN_AGE_SECONDS: optionalText.pipe(positiveInt(12 * 60 * 60)),
  AUTH_ALLOW_HS256_WITH_JWKS: optionalText.pipe(flag.default(false)),
  QUERY_MAX_DEPTH: optionalText.pipe(positiveInt(8)),
  QUERY_MAX_ALIASES: optionalText.pipe(positiveInt(15)),
  QUERY_MAX_ROOT_FIELDS: optionalText.pipe(positiveInt(20)),
  QUERY_MAX_FIELD_REPEATS: optionalText.pipe(positiveInt(50)),
  QUERY_MAX_DIRECTIVES: optionalText.pipe(positiveInt(20)),
  QUERY_MAX_TOKENS: optionalText.pipe(positiveInt(2000)),
  QUERY_MAX_COST: optionalText.pipe(positiveInt(5000)),
  SHUTDOWN_GRACE_MS: optionalText.pipe(positiveInt(10_000)),
  METRICS_PORT: optionalText.pipe(port.optional()),
  CORS_ORIGINS: optionalText.pipe(originList.optional()),
  OTEL_SDK_DISABLED: optionalText.pipe(flag.default(false)),
  OTEL_TRACES_EXPORTER: optionalText.pipe(z.enum(TRACE_EXPORTERS).optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(z.url().optional()),
  OTEL_SERVICE_NAME: optionalText.pipe(z.string().default('customer-profile-gateway')),
  RATE_LIMIT_WINDOW_SECONDS: optionalText.pipe(positiveInt(60)),
  RATE_LIMIT_ANONYMOUS: optionalText.pipe(positiveInt(60)),
  RATE_LIMIT_CUSTOMER: optionalText.pipe(positiveInt(120)),
  RATE_LIMIT_STAFF: optionalText.pipe(positiveInt(600)),
  RATE_LIMIT_MARKETING: optionalText.pipe(positiveInt(120_000)),
  RATE_LIMIT_BRAND: optionalText.pipe(positiveInt(6000)),
  RATE_LIMIT_TIMEOUT_MS: optionalText.pipe(positiveInt(500)),
  RATE_LIMIT_SYNC_MS: optionalText.pipe(z.coerce.number<string>().int().min(0).default(200)),
  TRUST_PROXY_HOPS: optionalText.pipe(z.coerce.number<string>().int().min(0).default(0)),
  LOYALTY_RULES_FILE: optionalText,
  PUSH_TOPICS_FILE: optionalText,
  PUBLIC_URL: optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL such as https://api.example.com',
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  UNSUBSCRIBE_SECRET: optionalText.pipe(
    z.string().min(32, 'must be at least 32 characters (HMAC-SHA256 key)').optional(),
  ),
  SEED_DEMO_DATA: optionalText.pipe(z.enum(['true', 'false']).optional()),
  TRUSTED_DOCUMENTS: optionalText.pipe(list(z.string()).optional()),
  TRUSTED_DOCUMENTS_ROLES: optionalText.pipe(list(z.enum(ROLES)).optional()),
  EARLIEST_MEMBERSHIP_SINCE: optionalText.pipe(calendarDate.default(new Date('1900-01-01'))),
  EARLIEST_QUOTE_DATE: optionalText.pipe(calendarDate.default(new Date('2000-01-01'))),
});

export interface DatabaseConfig {
  uri?: string;
  provider?: DatabaseProviderKind;
  embeddedDataDir?: string;
  embeddedPort?: number;
  databaseName: string;
  /**
   * Start a database of our own (embedded or mongod) with test commands enabled (the
   * `failCommand` fail point). The test suite's global setup sets it; no environment does.
   */
  enableTestCommands?: boolean;
}

/** The earliest dates a report may carry: anything before the business existed is a mistake. */
export interface DateBounds {
  /** A membership's `since` may not be before this UK calendar date. */
  earliestMembershipSince: Date;
  /** A quote's `createdAt` may not fall on a UK calendar date before this one. */
  earliestQuoteDate: Date;
}

export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  /** The `iss` every token verified against the JWKS must carry. */
  issuer?: string;
  /** The oldest a token may be (from `iat`) and the longest it may live (`exp - iat`). */
  maxTokenAgeSeconds: number;
}

/** What one GraphQL request may cost; each refusal is a QUERY_TOO_COMPLEX naming the limit. */
export interface QueryLimits {
  depth: number;
  aliases: number;
  rootFields: number;
  fieldRepeats: number;
  directives: number;
  tokens: number;
  cost: number;
}

/** OpenTelemetry tracing, on only when the standard `OTEL_*` variables ask for an exporter. */
export interface TracingConfig {
  exporter: 'otlp' | 'console';
  /** Where OTLP/HTTP spans go: the traces endpoint, or the base endpoint plus `/v1/traces`. */
  otlpTracesUrl: string;
  serviceName: string;
}

/**
 * First-party clients' persisted-document manifests (hash → document). Callers of `roles` may
 * send only a manifest's documents, by `documentId`; every other role may still send any.
 */
export interface TrustedDocumentsConfig {
  manifests: string[];
  roles: Role[];
}

/**
 * Requests per caller per window, shared by every instance through the database: by token
 * subject for each role, by client address for anonymous calls and bad tokens.
 */
export interface RateLimits {
  windowSeconds: number;
  perWindow: Record<'anonymous' | 'customer' | 'brand' | 'staff' | 'marketing', number>;
  /** How long counting may take before the request is let through uncounted (fail open). */
  timeoutMs: number;
  /**
   * How often an instance adds its callers' requests to the shared counts; 0 counts every
   * request in the database before serving it.
   */
  syncMs: number;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  /**
   * True when nothing says where the gateway runs (no `AUTH_*`, no `MONGODB_URI`, not
   * production): the development secret, loopback only and printed tokens apply then alone.
   */
  developmentDefaults: boolean;
  port: number;
  /** Undefined listens on every interface. */
  host?: string;
  logLevel: string;
  database: DatabaseConfig;
  /** How long a database operation may wait (for a server, a reply) before it fails. */
  databaseTimeoutMs: number;
  auth: AuthConfig;
  limits: QueryLimits;
  /** How long requests in flight may take to finish once a shutdown has begun. */
  shutdownGraceMs: number;
  /**
   * Where `GET /metrics` is served: its own port when `METRICS_PORT` is set; else the gateway's
   * port outside production, and nowhere in production (metrics are not for the public).
   */
  metrics: { port: number } | 'gateway-port' | 'off';
  /** Browser origins allowed to call the API (exact matches); empty allows none. */
  corsOrigins: string[];
  /** Undefined when tracing is off (the default). */
  tracing?: TracingConfig;
  rateLimits: RateLimits;
  /**
   * How many proxies (load balancers) in front of the gateway append to `X-Forwarded-For`:
   * the client address is read that many hops back. 0 trusts no header, since a client can
   * write any address there.
   */
  trustProxyHops: number;
  loyaltyRulesFile?: string;
  pushTopicsFile?: string;
  /** Unsubscribe links: where they point and the key that signs them. */
  unsubscribe: { publicUrl: string; secret: string };
  seedDemoData: boolean;
  dateBounds: DateBounds;
  trustedDocuments: TrustedDocumentsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
  );
}

function toDatabaseConfig(parsed: z.infer<typeof databaseSchema>): DatabaseConfig {
  return {
    uri: parsed.MONGODB_URI,
    provider: parsed.MONGO_PROVIDER,
    embeddedDataDir: parsed.EMBEDDED_MONGO_DATA,
    embeddedPort: parsed.EMBEDDED_MONGO_PORT,
    databaseName: parsed.MONGODB_DATABASE ?? 'customer-profile',
  };
}

/** The database part of the environment alone, for tools that start only a database. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = databaseSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  return toDatabaseConfig(parsed.data);
}

/** Secrets that may come from a file (`<NAME>_FILE`), as Docker and Kubernetes secrets mount them. */
const SECRETS_FROM_FILES = ['AUTH_JWT_SECRET', 'UNSUBSCRIBE_SECRET'] as const;

/**
 * The environment with each `<NAME>_FILE` secret read into `<NAME>` (trailing newline dropped),
 * and the problems found: a file that cannot be read, or a secret given both ways.
 */
function withSecretFiles(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; problems: string[] } {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const name of SECRETS_FROM_FILES) {
    const file = setValue(env, `${name}_FILE`);
    if (!file) continue;
    if (setValue(env, name)) {
      problems.push(`${name}_FILE: give ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  return { env: resolved, problems };
}

function setValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * Development defaults apply only when nothing in the environment says this is a deployment:
 * a forgotten `NODE_ENV=production` beside a real database or identity provider must not turn
 * on a published signing secret.
 */
function onDevelopmentDefaults(env: NodeJS.ProcessEnv): boolean {
  const value = (name: string) => setValue(env, name);
  const authSettings = Object.keys(env).filter((name) => name.startsWith('AUTH_') && value(name));
  return value('NODE_ENV') !== 'production' && authSettings.length === 0 && !value('MONGODB_URI');
}

/** Checks that span several variables, on the raw text so they run even when parsing failed. */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const value = (name: string) => setValue(env, name);
  const problems: string[] = [];
  if (value('AUTH_JWKS_URL') && !value('AUTH_JWT_ISSUER')) {
    problems.push("AUTH_JWT_ISSUER: required with AUTH_JWKS_URL (the identity provider's iss)");
  }
  if (!onDevelopmentDefaults(env) && !value('AUTH_JWT_SECRET') && !value('AUTH_JWKS_URL')) {
    problems.push(
      'AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required outside development defaults ' +
        '(MONGODB_URI or another AUTH_* setting is given)',
    );
  }
  // Anyone could sign an unsubscribe link with the published development key.
  if (!onDevelopmentDefaults(env) && !value('UNSUBSCRIBE_SECRET')) {
    problems.push(
      'UNSUBSCRIBE_SECRET: required outside development defaults (it signs unsubscribe links)',
    );
  }
  if (value('NODE_ENV') === 'production') {
    const jwksUrl = value('AUTH_JWKS_URL');
    if (jwksUrl && !jwksUrl.startsWith('https://')) {
      problems.push('AUTH_JWKS_URL: must be https in production');
    }
    if (jwksUrl && value('AUTH_JWT_SECRET') && value('AUTH_ALLOW_HS256_WITH_JWKS') !== 'true') {
      problems.push(
        'AUTH_JWT_SECRET: beside AUTH_JWKS_URL in production only with ' +
          "AUTH_ALLOW_HS256_WITH_JWKS=true (HS256 tokens as well as the identity provider's)",
      );
    }
    if (value('AUTH_JWT_SECRET') === DEVELOPMENT_JWT_SECRET) {
      problems.push('AUTH_JWT_SECRET: the development secret cannot be used in production');
    }
    if (!value('MONGODB_URI')) {
      problems.push('MONGODB_URI: required in production (no embedded development database)');
    }
    if (!value('PUBLIC_URL')) {
      problems.push('PUBLIC_URL: required in production (unsubscribe links point at it)');
    }
    if (value('UNSUBSCRIBE_SECRET') === DEVELOPMENT_UNSUBSCRIBE_SECRET) {
      problems.push('UNSUBSCRIBE_SECRET: the development key cannot be used in production');
    }
    const provider = value('MONGO_PROVIDER');
    if (provider && provider !== 'uri') {
      problems.push('MONGO_PROVIDER: only "uri" is allowed in production');
    }
  }
  if (value('TRUSTED_DOCUMENTS_ROLES') && !value('TRUSTED_DOCUMENTS')) {
    problems.push('TRUSTED_DOCUMENTS_ROLES: needs TRUSTED_DOCUMENTS (the manifests they bind)');
  }
  if (value('MONGO_PROVIDER') === 'uri' && !value('MONGODB_URI')) {
    problems.push('MONGODB_URI: required when MONGO_PROVIDER=uri');
  }
  return problems;
}

/**
 * Tracing follows OpenTelemetry's variables: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`)
 * when given, else `otlp` when an OTLP endpoint is set, else off; `OTEL_SDK_DISABLED=true` wins.
 */
function tracingConfig(values: z.infer<typeof environmentSchema>): TracingConfig | undefined {
  const tracesUrl =
    values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (values.OTEL_EXPORTER_OTLP_ENDPOINT &&
      `${values.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  const exporter = values.OTEL_TRACES_EXPORTER ?? (tracesUrl ? 'otlp' : 'none');
  if (values.OTEL_SDK_DISABLED || exporter === 'none') return undefined;
  return {
    exporter,
    // OpenTelemetry's default: a collector on this machine.
    otlpTracesUrl: tracesUrl ?? 'http://localhost:4318/v1/traces',
    serviceName: values.OTEL_SERVICE_NAME,
  };
}

/**
 * Parses and validates the whole environment once. Every problem is reported together; in
 * production nothing falls back to a development default.
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const { env, problems: fileProblems } = withSecretFiles(rawEnv);
  const parsed = environmentSchema.safeParse(env);
  const problems = [
    ...fileProblems,
    ...(parsed.success ? [] : describeIssues(parsed.error)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  const developmentDefaults = onDevelopmentDefaults(env);
  const host = values.HOST ?? (developmentDefaults ? DEVELOPMENT_HOST : undefined);

  return {
    env: values.NODE_ENV,
    developmentDefaults,
    port: values.PORT,
    host,
    logLevel: values.LOG_LEVEL,
    database: toDatabaseConfig(values),
    databaseTimeoutMs: values.MONGODB_TIMEOUT_MS,
    auth: {
      jwtSecret:
        values.AUTH_JWT_SECRET ?? (developmentDefaults ? DEVELOPMENT_JWT_SECRET : undefined),
      jwksUrl: values.AUTH_JWKS_URL,
      issuer: values.AUTH_JWT_ISSUER,
      maxTokenAgeSeconds: values.AUTH_MAX_TOKEN_AGE_SECONDS,
    },
    limits: {
      depth: values.QUERY_MAX_DEPTH,
      aliases: values.QUERY_MAX_ALIASES,
      rootFields: values.QUERY_MAX_ROOT_FIELDS,
      fieldRepeats: values.QUERY_MAX_FIELD_REPEATS,
      directives: values.QUERY_MAX_DIRECTIVES,
      tokens: values.QUERY_MAX_TOKENS,
      cost: values.QUERY_MAX_COST,
    },
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    metrics:
      values.METRICS_PORT !== undefined
        ? { port: values.METRICS_PORT }
        : production
          ? 'off'
          : 'gateway-port',
    corsOrigins: values.CORS_ORIGINS ?? [],
    tracing: tracingConfig(values),
    rateLimits: {
      windowSeconds: values.RATE_LIMIT_WINDOW_SECONDS,
      perWindow: {
        anonymous: values.RATE_LIMIT_ANONYMOUS,
        customer: values.RATE_LIMIT_CUSTOMER,
        brand: values.RATE_LIMIT_BRAND,
        staff: values.RATE_LIMIT_STAFF,
        marketing: values.RATE_LIMIT_MARKETING,
      },
      timeoutMs: values.RATE_LIMIT_TIMEOUT_MS,
      syncMs: values.RATE_LIMIT_SYNC_MS,
    },
    trustProxyHops: values.TRUST_PROXY_HOPS,
    loyaltyRulesFile: values.LOYALTY_RULES_FILE,
    pushTopicsFile: values.PUSH_TOPICS_FILE,
    unsubscribe: {
      publicUrl: values.PUBLIC_URL ?? `http://${host ?? 'localhost'}:${values.PORT}`,
      // Only on development defaults: any other start without a key was refused above.
      secret: values.UNSUBSCRIBE_SECRET ?? DEVELOPMENT_UNSUBSCRIBE_SECRET,
    },
    seedDemoData: values.SEED_DEMO_DATA ? values.SEED_DEMO_DATA === 'true' : !production,
    dateBounds: {
      earliestMembershipSince: values.EARLIEST_MEMBERSHIP_SINCE,
      earliestQuoteDate: values.EARLIEST_QUOTE_DATE,
    },
    trustedDocuments: {
      manifests: values.TRUSTED_DOCUMENTS ?? [],
      // The first-party client of a signed-in customer is the one these manifests come from.
      roles: values.TRUSTED_DOCUMENTS ? (values.TRUSTED_DOCUMENTS_ROLES ?? ['customer']) : [],
    },
  };
}
