import { z } from 'zod';

/** A development-only signing secret, so that `npm start` works on a fresh machine. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';
/** A development-only key for unsubscribe links; production must give its own. */
export const DEVELOPMENT_UNSUBSCRIBE_SECRET = 'development-only-unsubscribe-key-0123456789';

const PROVIDER_KINDS = ['uri', 'mongod', 'embedded'] as const;
export type DatabaseProviderKind = (typeof PROVIDER_KINDS)[number];

const port = z.coerce.number<string>().int().min(0).max(65535);
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

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
  LOG_LEVEL: optionalText.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  AUTH_JWT_SECRET: optionalText.pipe(
    z.string().min(32, 'must be at least 32 characters (HS256 key)').optional(),
  ),
  AUTH_JWKS_URL: optionalText.pipe(z.url().optional()),
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
  EARLIEST_MEMBERSHIP_SINCE: optionalText.pipe(calendarDate.default(new Date('1900-01-01'))),
  EARLIEST_QUOTE_DATE: optionalText.pipe(calendarDate.default(new Date('2000-01-01'))),
});

export interface DatabaseConfig {
  uri?: string;
  provider?: DatabaseProviderKind;
  embeddedDataDir?: string;
  embeddedPort?: number;
  databaseName: string;
}

/** The earliest dates a report may carry: anything before the business existed is a mistake. */
export interface DateBounds {
  /** A membership's `since` may not be before this UK calendar date. */
  earliestMembershipSince: Date;
  /** A quote's `createdAt` may not fall on a UK calendar date before this one. */
  earliestQuoteDate: Date;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  logLevel: string;
  database: DatabaseConfig;
  auth: { jwtSecret?: string; jwksUrl?: string };
  loyaltyRulesFile?: string;
  pushTopicsFile?: string;
  /** Unsubscribe links: where they point and the key that signs them. */
  unsubscribe: { publicUrl: string; secret: string };
  seedDemoData: boolean;
  dateBounds: DateBounds;
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

/** Checks that span several variables, on the raw text so they run even when parsing failed. */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const value = (name: string) => env[name]?.trim() || undefined;
  const problems: string[] = [];
  if (value('NODE_ENV') === 'production') {
    if (!value('AUTH_JWT_SECRET') && !value('AUTH_JWKS_URL')) {
      problems.push('AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production');
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
    if (!value('UNSUBSCRIBE_SECRET')) {
      problems.push('UNSUBSCRIBE_SECRET: required in production (it signs unsubscribe links)');
    }
    if (value('UNSUBSCRIBE_SECRET') === DEVELOPMENT_UNSUBSCRIBE_SECRET) {
      problems.push('UNSUBSCRIBE_SECRET: the development key cannot be used in production');
    }
    const provider = value('MONGO_PROVIDER');
    if (provider && provider !== 'uri') {
      problems.push('MONGO_PROVIDER: only "uri" is allowed in production');
    }
  }
  if (value('MONGO_PROVIDER') === 'uri' && !value('MONGODB_URI')) {
    problems.push('MONGODB_URI: required when MONGO_PROVIDER=uri');
  }
  return problems;
}

/**
 * Parses and validates the whole environment once. Every problem is reported together; in
 * production nothing falls back to a development default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : describeIssues(parsed.error)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';

  return {
    env: values.NODE_ENV,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    database: toDatabaseConfig(values),
    auth: {
      jwtSecret: values.AUTH_JWT_SECRET ?? (production ? undefined : DEVELOPMENT_JWT_SECRET),
      jwksUrl: values.AUTH_JWKS_URL,
    },
    loyaltyRulesFile: values.LOYALTY_RULES_FILE,
    pushTopicsFile: values.PUSH_TOPICS_FILE,
    unsubscribe: {
      publicUrl: values.PUBLIC_URL ?? `http://localhost:${values.PORT}`,
      secret: values.UNSUBSCRIBE_SECRET ?? DEVELOPMENT_UNSUBSCRIBE_SECRET,
    },
    seedDemoData: values.SEED_DEMO_DATA ? values.SEED_DEMO_DATA === 'true' : !production,
    dateBounds: {
      earliestMembershipSince: values.EARLIEST_MEMBERSHIP_SINCE,
      earliestQuoteDate: values.EARLIEST_QUOTE_DATE,
    },
  };
}
