import {
  ConfigError,
  DEVELOPMENT_JWT_SECRET,
  DEVELOPMENT_UNSUBSCRIBE_SECRET,
  loadConfig,
} from '../../src/config';

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
        expect.stringMatching(/^PUBLIC_URL/),
        expect.stringMatching(/^UNSUBSCRIBE_SECRET/),
      ]),
    );
    const links = {
      PUBLIC_URL: 'https://profile.example.com',
      UNSUBSCRIBE_SECRET: 'u'.repeat(40),
    };
    expect(
      problemsOf({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET,
        MONGODB_URI: 'mongodb://db:27017',
        ...links,
      }),
    ).toEqual([expect.stringMatching(/development secret/)]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
        AUTH_JWT_ISSUER: 'https://id.example.com/',
        MONGODB_URI: 'mongodb://db:27017',
        ...links,
        UNSUBSCRIBE_SECRET: DEVELOPMENT_UNSUBSCRIBE_SECRET,
      }),
    ).toEqual([expect.stringMatching(/^UNSUBSCRIBE_SECRET: the development key/)]);

    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
      AUTH_JWT_ISSUER: 'https://id.example.com/',
      MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0',
      ...links,
    });
    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.unsubscribe).toEqual({
      publicUrl: 'https://profile.example.com',
      secret: 'u'.repeat(40),
    });
    expect(config.seedDemoData).toBe(false);
  });

  it('bounds report dates from 1900 (memberships) and 2000 (quotes) unless configured', () => {
    expect(loadConfig({}).dateBounds).toEqual({
      earliestMembershipSince: new Date('1900-01-01T00:00:00Z'),
      earliestQuoteDate: new Date('2000-01-01T00:00:00Z'),
    });
    expect(
      loadConfig({ EARLIEST_MEMBERSHIP_SINCE: '1950-06-01', EARLIEST_QUOTE_DATE: '2010-06-01' })
        .dateBounds,
    ).toEqual({
      earliestMembershipSince: new Date('1950-06-01T00:00:00Z'),
      earliestQuoteDate: new Date('2010-06-01T00:00:00Z'),
    });
    const problems = problemsOf({ EARLIEST_MEMBERSHIP_SINCE: '1900', EARLIEST_QUOTE_DATE: 'soon' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'EARLIEST_MEMBERSHIP_SINCE',
      'EARLIEST_QUOTE_DATE',
    ]);
  });
});
