import { startTestGateway, type TestGateway } from '../support/gateway';

const ALLOWED = 'https://shop.example.com';
const OTHER = 'https://evil.example.net';

/** A browser's preflight before a JSON POST with Apollo's CSRF header and a token. */
function preflight(baseUrl: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,apollo-require-preflight,authorization',
    },
  });
}

/** Every `access-control-*` header of a response, for assertions that print them all. */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

describe('CORS for an allowlist of exact origins', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('cors', {
      env: { CORS_ORIGINS: `${ALLOWED}, http://localhost:3000` },
    });
  });

  afterAll(() => test.stop());

  it('answers a preflight from an allowed origin with the headers Apollo needs, no credentials', async () => {
    const response = await preflight(test.baseUrl, ALLOWED);
    expect(response.status).toBe(204);
    const headers = corsHeaders(response);
    expect(headers).toMatchObject({ 'access-control-allow-origin': ALLOWED });
    const allowed = headers['access-control-allow-headers'].split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining([
        'content-type',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'authorization',
        'x-request-id',
      ]),
    );
    expect(headers['access-control-allow-methods']).toContain('POST');
    expect(headers).not.toHaveProperty('access-control-allow-credentials');
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });

  it('gives a preflight from any other origin no CORS header', async () => {
    const response = await preflight(test.baseUrl, OTHER);
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual({});
  });

  it('names the allowed origin on the actual request, and no other', async () => {
    const ask = (origin: string) =>
      fetch(`${test.baseUrl}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const allowed = await ask('http://localhost:3000');
    expect(allowed.status).toBe(200);
    expect(corsHeaders(allowed)).toEqual({
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-expose-headers': 'x-request-id',
    });
    const other = await ask(OTHER);
    expect(corsHeaders(other)).toEqual({});
  });

  it('allows no origin when CORS_ORIGINS is unset', async () => {
    const plain = await startTestGateway('cors_none');
    try {
      const response = await preflight(plain.baseUrl, ALLOWED);
      expect(corsHeaders(response)).toEqual({});
    } finally {
      await plain.stop();
    }
  });
});
