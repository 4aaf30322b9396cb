import { Brand } from '../../src/modules/customers/brand';
import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';

const PROFILE = `query Profile($id: ID!) { customer(id: $id) { id email } }`;

async function scrape(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

/** The value of one series, matched by name and labels (any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => {
    const match = /^([a-z_:]+)\{(.*)\} (\S+)$/.exec(candidate);
    if (!match || match[1] !== name) return false;
    return Object.entries(labels).every(([key, value]) => match[2].includes(`${key}="${value}"`));
  });
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('Prometheus metrics', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('metrics');
  });

  afterAll(() => test.stop());

  it('counts requests by operation, type and outcome, errors by code, and database commands', async () => {
    const input = accountInput({
      brand: Brand.WAITROSE,
      name: { title: 'Mr', firstName: 'Metricsfirst', lastName: 'Metricslast' },
    });
    const upserted = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await brandToken(Brand.WAITROSE) },
    );
    const customerId = upserted.upsertBrandAccount.id as string;
    await test.client.data(PROFILE, { id: customerId }, { token: await staffToken() });
    const refused = await test.client.request(PROFILE, { id: customerId });
    const refusedCode = String(refused.body.errors?.[0]?.extensions?.code);
    expect(refusedCode).not.toBe('undefined');
    await test.client.request('{ not valid graphql', {});

    const { status, text } = await scrape(`${test.baseUrl}/metrics`);
    expect(status).toBe(200);
    const requests = 'gateway_graphql_requests_total';
    expect({
      upsert: sample(text, requests, {
        operation_name: 'Upsert',
        operation_type: 'mutation',
        outcome: 'ok',
      }),
      profile: sample(text, requests, {
        operation_name: 'Profile',
        operation_type: 'query',
        outcome: 'ok',
      }),
      refused: sample(text, requests, { operation_name: 'Profile', outcome: refusedCode }),
      unparsed: sample(text, requests, { operation_name: 'none', operation_type: 'none' }),
      refusedErrors: sample(text, 'gateway_graphql_errors_total', { code: refusedCode }),
    }).toEqual({ upsert: 1, profile: 1, refused: 1, unparsed: 1, refusedErrors: 1 });

    const latency = 'gateway_graphql_request_duration_seconds_count';
    expect(sample(text, latency, { operation_name: 'Upsert', operation_type: 'mutation' })).toBe(1);
    expect(text).toMatch(/^gateway_graphql_request_duration_seconds_bucket\{le="0\.1",/m);

    const commands = 'gateway_mongodb_command_duration_seconds_count';
    expect(sample(text, commands, { command: 'find', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(text, commands, { command: 'insert', outcome: 'ok' })).toBeGreaterThan(0);
    expect(text).toMatch(/^gateway_mongodb_pool_connections [1-9]/m);
    expect(text).toMatch(/^gateway_mongodb_pool_connections_in_use \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);

    // Operation names only: nothing the requests carried as variables.
    const sent = [customerId, input.email, input.accountId, 'Metricsfirst', 'Metricslast'];
    expect(sent.filter((value) => text.includes(value))).toEqual([]);
  });

  it('serves no metrics on the public port in production', async () => {
    const production = await startTestGateway('metrics_prod', { env: { NODE_ENV: 'production' } });
    try {
      expect((await scrape(`${production.baseUrl}/metrics`)).status).toBe(404);
      expect(production.gateway.metricsPort).toBeUndefined();
    } finally {
      await production.stop();
    }
  });

  it('serves them on METRICS_PORT alone when it is set', async () => {
    const production = await startTestGateway('metrics_port', {
      env: { NODE_ENV: 'production', METRICS_PORT: '0', HOST: '127.0.0.1' },
    });
    try {
      const metricsBase = `http://127.0.0.1:${production.gateway.metricsPort}`;
      const scraped = await scrape(`${metricsBase}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('# TYPE gateway_graphql_requests_total counter');
      expect((await scrape(`${metricsBase}/graphql`)).status).toBe(404);
      expect((await scrape(`${production.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await production.stop();
    }
  });
});
