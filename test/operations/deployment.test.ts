import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { imageNodeFlags } from '../../bench/image';
import { loadConfig } from '../../src/config';

// No Docker engine runs the tests, so these read what `docker compose up` would act on.
const root = join(__dirname, '..', '..');

interface Service {
  image?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  entrypoint?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  restart?: string;
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
const { services } = compose;

/** Compose's `${NAME:-default}` as `docker compose` resolves it with NAME unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  const mongos = ['mongo1', 'mongo2', 'mongo3'];

  it('health-checks every replica-set member and forms the set only once they answer', () => {
    for (const name of mongos) {
      expect({ name, test: services[name].healthcheck?.test }).toEqual({
        name,
        test: expect.arrayContaining(['CMD', 'mongosh']),
      });
    }
    expect(services['mongo-init'].depends_on).toEqual(
      Object.fromEntries(mongos.map((name) => [name, { condition: 'service_healthy' }])),
    );
    expect(services['mongo-init'].restart).toBe('no');
  });

  it('forms the set idempotently and waits, with a deadline, for whichever member is primary', () => {
    const script = services['mongo-init'].entrypoint?.join('\n') ?? '';
    // Already formed: rs.status() answers and nothing is initiated again.
    expect(script).toMatch(/try \{\s*rs\.status\(\);/);
    // Only NotYetInitialized (94) leads to rs.initiate; any other failure is rethrown.
    expect(script).toMatch(/if \(e\.code !== 94\) throw e;\s*rs\.initiate\(/);
    // Any primary will do (after a restart it need not be mongo1), but not forever.
    expect(script).toContain('while (!db.hello().primary)');
    expect(script).not.toContain('isWritablePrimary');
    expect(script).toMatch(/deadline[\s\S]*quit\(1\)/);
  });

  it('starts the gateway after the set is formed, with a health check on /readyz', () => {
    const gateway = services.gateway;
    expect(gateway.depends_on).toEqual({
      'mongo-init': { condition: 'service_completed_successfully' },
    });
    expect(gateway.healthcheck?.test.join(' ')).toContain('/readyz');
  });

  it('passes the secrets as files, and its environment is a valid production configuration', () => {
    const gateway = services.gateway;
    expect(gateway.secrets).toEqual(['auth_jwt_secret', 'unsubscribe_secret']);
    expect(Object.keys(compose.secrets)).toEqual(['auth_jwt_secret', 'unsubscribe_secret']);
    const environment = gateway.environment ?? {};
    expect(environment).toMatchObject({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET_FILE: '/run/secrets/auth_jwt_secret',
      UNSUBSCRIBE_SECRET_FILE: '/run/secrets/unsubscribe_secret',
    });
    expect(environment).not.toHaveProperty('AUTH_JWT_SECRET');
    expect(environment).not.toHaveProperty('UNSUBSCRIBE_SECRET');

    // The same environment with the secret files where compose mounts them, here a temp dir.
    const secrets = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
    writeFileSync(join(secrets, 'auth_jwt_secret'), `${'a'.repeat(64)}\n`);
    writeFileSync(join(secrets, 'unsubscribe_secret'), `${'b'.repeat(64)}\n`);
    const env = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        withDefaults(value).replace('/run/secrets', secrets),
      ]),
    );
    const config = loadConfig(env);
    expect(config).toMatchObject({
      env: 'production',
      auth: { jwtSecret: 'a'.repeat(64) },
      unsubscribe: { secret: 'b'.repeat(64), publicUrl: 'http://localhost:4000' },
      metrics: { port: 9464 },
      corsOrigins: [],
    });
    expect(config.tracing).toBeUndefined();
  });
});

describe('runtime', () => {
  it('runs Node 24 in the image, and the package says which Node versions it supports', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases).toEqual(['node:24-slim', 'node:24-slim']);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(manifest.engines.node).toContain('^24');
    expect(manifest.devDependencies['@types/node']).toMatch(/^24\.\d+\.\d+$/);
  });

  it('gives V8 a heap ceiling in the image, which the bench starts the gateway with too', () => {
    expect(imageNodeFlags(root)).toContain('--max-old-space-size=1024');
  });
});
