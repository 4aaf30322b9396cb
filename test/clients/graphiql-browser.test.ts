import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser } from 'playwright-core';

import { seed } from '../support/builders';
import { browserAvailability, launchBrowser } from '../support/browser';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { tokenFor } from '../support/tokens';

/** Where the screenshot goes: kept out of git, there for a person to look at after a run. */
const OUTPUT = join(__dirname, '..', '..', 'test-output', 'graphiql');

const { available } = browserAvailability();

(available ? describe : describe.skip)('GraphiQL at GET /graphql, offline', () => {
  let test: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    test = await startTestGateway('graphiql-browser');
    browser = await launchBrowser();
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await test?.stop();
  });

  it('loads from the gateway alone, and runs a query with a token pasted as a header', async () => {
    const { id } = await seed(test.client).customer().withJohnLewisAccount().create();
    const token = await tokenFor({ role: 'customer', sub: id });

    const context = await browser.newContext();
    // Nothing but this gateway (and the blob: workers the page makes from its own script).
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(test.baseUrl) || url.startsWith('blob:') || url.startsWith('data:')) {
        return route.continue();
      }
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const sentHeaders: Record<string, string>[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') sentHeaders.push(request.headers());
    });

    await page.goto(`${test.baseUrl}/graphql`);
    // The IDE opens on its default query, `me`, which needs a customer's token.
    const headers = page.locator('section[aria-label="Headers"] .graphiql-editor:not(.hidden)');
    await headers.click();
    // Typed as a paste would be: no key-by-key auto-closing of brackets and quotes.
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    const result = page.locator('section[aria-label="Result Window"]');
    await result.getByText(id).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'answered.png'), fullPage: true });

    // Monaco lays text out with non-breaking spaces.
    const answer = (await result.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
    expect(answer).toContain(`"id": "${id}"`);
    expect(answer).not.toContain('"errors"');
    expect(sentHeaders.map((sent) => sent.authorization)).toContain(`Bearer ${token}`);
    expect({ blocked, problems }).toEqual({ blocked: [], problems: [] });
    await context.close();
  });
});
