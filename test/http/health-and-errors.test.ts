import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

describe('HTTP routes and error handling', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('http');
  });
  afterAll(() => test.stop());

  it('answers /healthz and /readyz while the database is up', async () => {
    const health = await fetch(`${test.baseUrl}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${test.baseUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('gives every response a request id, keeping a sane one the caller sent', async () => {
    const given = await fetch(`${test.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const invented = await fetch(`${test.baseUrl}/healthz`, { headers: { 'x-request-id': 'a b' } });
    expect(invented.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a malformed JSON body with BAD_REQUEST and no stack trace', async () => {
    const response = await fetch(test.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await test.client.request('{ nothing }');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${test.baseUrl}/nowhere`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  // Last: it takes the database away from this gateway.
  it('answers SERVICE_UNAVAILABLE and reports not ready once the database is gone', async () => {
    await test.gateway.connection.close();
    const response = await test.client.request(
      'query ($id: ID!) { customer(id: $id) { id } }',
      { id: '0123456789abcdef01234567' },
      { token: await staffToken() },
    );
    expect(response.body.errors).toEqual([
      {
        message: 'Service temporarily unavailable; retry',
        locations: [{ line: 1, column: 20 }],
        path: ['customer'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      },
    ]);
    const ready = await fetch(`${test.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
  });
});
