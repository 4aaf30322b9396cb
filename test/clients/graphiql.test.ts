import { startTestGateway, type TestGateway } from '../support/gateway';

/** What Chromium sends when a person opens the address: a "simple" request, no preflight. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

async function open(test: TestGateway) {
  const response = await fetch(`${test.baseUrl}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}

describe('GET /graphql from a browser', () => {
  it('outside production is GraphiQL, whole in one page, under a policy that reaches only the gateway', async () => {
    const test = await startTestGateway('graphiql');
    try {
      const page = await open(test);
      expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
      // The browser sent no preflight header: Apollo serves its page before CSRF prevention applies.
      const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(
        page.body,
      );
      expect(policy?.[1]).toContain("default-src 'none'");
      expect(policy?.[1]).toContain("connect-src 'self'");
      expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    } finally {
      await test.stop();
    }
  });

  it('in production is no IDE: Apollo answers as with its landing page disabled', async () => {
    const test = await startTestGateway('graphiql_production', { env: { NODE_ENV: 'production' } });
    try {
      const page = await open(test);
      // A GET without a preflight header is what CSRF prevention refuses.
      expect([page.status, page.type]).toEqual([400, 'application/json; charset=utf-8']);
      expect(page.body).toContain(
        'This operation has been blocked as a potential Cross-Site Request Forgery',
      );
    } finally {
      await test.stop();
    }
  });
});
