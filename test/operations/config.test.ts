import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfig } from '../../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const deployed = {
  MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
  AUTH_JWT_SECRET: 'x'.repeat(40),
  UNSUBSCRIBE_SECRET: 'y'.repeat(40),
};

describe('operations settings', () => {
  it('reads secrets from files, without the trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    writeFileSync(join(dir, 'jwt'), `${'j'.repeat(40)}\n`);
    writeFileSync(join(dir, 'unsubscribe'), 'u'.repeat(40));
    const config = loadConfig({
      MONGODB_URI: deployed.MONGODB_URI,
      AUTH_JWT_SECRET_FILE: join(dir, 'jwt'),
      UNSUBSCRIBE_SECRET_FILE: join(dir, 'unsubscribe'),
    });
    expect(config.auth.jwtSecret).toBe('j'.repeat(40));
    expect(config.unsubscribe.secret).toBe('u'.repeat(40));
    expect(config.developmentDefaults).toBe(false);
  });

  it('refuses a secret given twice or a file that cannot be read', () => {
    const problems = problemsOf({
      ...deployed,
      AUTH_JWT_SECRET_FILE: '/nonexistent/jwt',
      UNSUBSCRIBE_SECRET: undefined,
      UNSUBSCRIBE_SECRET_FILE: '/nonexistent/unsubscribe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'AUTH_JWT_SECRET_FILE: give AUTH_JWT_SECRET or AUTH_JWT_SECRET_FILE, not both',
        expect.stringMatching(/^UNSUBSCRIBE_SECRET_FILE: cannot read \/nonexistent\/unsubscribe/),
      ]),
    );
  });

  it('takes CORS origins as exact origins only', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://shop.example.com, http://localhost:3000' });
    expect(config.corsOrigins).toEqual(['https://shop.example.com', 'http://localhost:3000']);
    const problems = problemsOf({
      CORS_ORIGINS: '*,https://shop.example.com/,https://a.example.com/path,ftp://x.example.com',
    });
    expect(problems.filter((problem) => problem.startsWith('CORS_ORIGINS:'))).toHaveLength(4);
  });

  it('serves metrics on the gateway port outside production, on METRICS_PORT or not at all in it', () => {
    expect(loadConfig({}).metrics).toBe('gateway-port');
    const production = { ...deployed, NODE_ENV: 'production', PUBLIC_URL: 'https://api.test' };
    expect(loadConfig(production).metrics).toBe('off');
    expect(loadConfig({ ...production, METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464 });
  });

  it('traces only when the OTEL_* variables ask for it', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      exporter: 'otlp',
      otlpTracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'customer-profile-gateway',
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
        OTEL_SERVICE_NAME: 'profiles',
      }).tracing,
    ).toMatchObject({ otlpTracesUrl: 'http://traces:4318/custom', serviceName: 'profiles' });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }).tracing?.exporter).toBe('console');
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })
        .tracing,
    ).toBeUndefined();
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'zipkin' })[0]).toMatch(/^OTEL_TRACES_EXPORTER/);
  });
});
