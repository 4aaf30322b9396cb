import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has development defaults outside production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      logLevel: 'info',
      auth: { jwtSecret: DEVELOPMENT_JWT_SECRET },
      seedDemoData: true,
    });
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      AUTH_JWT_SECRET: 'short',
      AUTH_JWKS_URL: 'not a url',
      MONGODB_URI: 'http://db',
      MONGO_PROVIDER: 'cloud',
    });
    const named = problems.map((problem) => problem.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'PORT',
        'LOG_LEVEL',
        'AUTH_JWT_SECRET',
        'AUTH_JWKS_URL',
        'MONGODB_URI',
        'MONGO_PROVIDER',
      ]),
    );
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/Invalid configuration:\n {2}- PORT/);
  });

  it('has no development defaults in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: '99999' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT/),
        expect.stringMatching(/^AUTH_JWT_SECRET or AUTH_JWKS_URL/),
        expect.stringMatching(/^MONGODB_URI/),
      ]),
    );
    expect(
      problemsOf({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET,
        MONGODB_URI: 'mongodb://db:27017',
      }),
    ).toEqual([expect.stringMatching(/development secret/)]);

    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
      AUTH_JWT_ISSUER: 'https://id.example.com/',
      MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
    });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.seedDemoData).toBe(false);
  });
});
