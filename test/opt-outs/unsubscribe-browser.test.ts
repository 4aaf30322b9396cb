import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import axe from 'axe-core';
import { type Browser } from 'playwright-core';

import { contactAllowed, grantAsCustomer, marketingToken } from '../preferences/operations';
import { seed } from '../support/builders';
import { browserAvailability, launchBrowser } from '../support/browser';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** Where the screenshots go: kept out of git, there for a person to look at after a run. */
const OUTPUT = join(__dirname, '..', '..', 'test-output', 'unsubscribe');

const { available } = browserAvailability();

(available ? describe : describe.skip)('unsubscribe link in a real browser', () => {
  let test: TestGateway;
  let browser: Browser;
  let marketing: string;

  beforeAll(async () => {
    test = await startTestGateway('unsubscribe-browser');
    browser = await launchBrowser();
    marketing = await marketingToken();
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await test?.stop();
  });

  const allowed = (customerId: string, brand: string) =>
    contactAllowed(test.client, { customerId, brand, channel: 'EMAIL' });

  it('opens the link, reads the page, clicks the button and reads what stopped', async () => {
    const { id } = await seed(test.client)
      .customer()
      .withJohnLewisAccount()
      .withWaitroseAccount()
      .create();
    await grantAsCustomer(test.client, id, ['WAITROSE', 'JOHN_LEWIS'], { email: true });
    const link = (
      await test.client.data(
        'query ($id: ID!) { unsubscribeLink(customerId: $id, brand: WAITROSE) }',
        { id },
        { token: marketing },
      )
    ).unsubscribeLink as string;
    // The link points at the configured public address; the browser opens this gateway's.
    const local = `${test.baseUrl}/unsubscribe${new URL(link).search}`;

    const context = await browser.newContext({ javaScriptEnabled: false });
    // Nothing but this gateway: the page must need nothing from anywhere else.
    await context.route('**/*', (route) =>
      route.request().url().startsWith(test.baseUrl) ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await page.goto(local);
    expect(await page.locator('h1').innerText()).toBe('Unsubscribe from Waitrose marketing emails');
    await page.screenshot({ path: join(OUTPUT, '1-confirm.png'), fullPage: true });
    expect(await allowed(id, 'WAITROSE')).toBe(true);

    // Accessibility, checked by axe-core through the DevTools protocol (the page itself runs
    // no script, and its policy allows none).
    const accessibility = await browser.newContext();
    const checked = await accessibility.newPage();
    await checked.goto(local);
    await checked.evaluate(axe.source);
    const violations = await checked.evaluate(async () => {
      const results = await (globalThis as unknown as { axe: typeof axe }).axe.run();
      return results.violations.map((violation) => `${violation.id}: ${violation.help}`);
    });
    expect(violations).toEqual([]);
    await accessibility.close();

    await page.getByRole('button', { name: 'Unsubscribe from Waitrose emails' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe('You are unsubscribed');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Waitrose will not send you any more marketing emails');
    expect(text).toContain("Emails from the group's other brands.");
    await page.screenshot({ path: join(OUTPUT, '2-done.png'), fullPage: true });
    expect(cspViolations).toEqual([]);
    await context.close();

    expect(await allowed(id, 'WAITROSE')).toBe(false);
    expect(await allowed(id, 'JOHN_LEWIS')).toBe(true);
  });
});
