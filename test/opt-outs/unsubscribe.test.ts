import { signUnsubscribeToken } from '../../src/modules/opt-outs/unsubscribe-token';
import { Brand } from '../../src/modules/customers/brand';
import {
  contactAllowed,
  customerToken,
  marketingToken,
  grantAsCustomer,
} from '../preferences/operations';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import { UNSUBSCRIBE, UNSUBSCRIBE_LINK } from './operations';

const TODAY = '2026-11-20T09:00:00.000Z';
const TEST_SECRET = 'unsubscribe-test-secret-0123456789abcdef';

describe('one-click unsubscribe', () => {
  let test: TestGateway;
  let marketing: string;

  beforeAll(async () => {
    test = await startTestGateway('unsubscribe', {
      env: { UNSUBSCRIBE_SECRET: TEST_SECRET, PUBLIC_URL: 'https://profile.example.com/' },
    });
    marketing = await marketingToken();
  });
  beforeEach(() => test.clock.set(TODAY));
  afterAll(() => test.stop());

  /** A customer of both grocery and department store who said yes to email and texts at both. */
  const subscribedCustomer = async () => {
    const { id } = await seed(test.client)
      .customer()
      .withJohnLewisAccount()
      .withWaitroseAccount()
      .create();
    await grantAsCustomer(test.client, id, ['WAITROSE', 'JOHN_LEWIS'], { email: true, sms: true });
    return id;
  };

  const linkFor = async (customerId: string, brand = 'WAITROSE') =>
    (await test.client.data(UNSUBSCRIBE_LINK, { customerId, brand }, { token: marketing }))
      .unsubscribeLink as string;

  const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

  const allowed = (customerId: string, brand: string, channel: string) =>
    contactAllowed(test.client, { customerId, brand, channel });

  const eventCount = (customerId: string) =>
    test.gateway.models.ConsentEvent.countDocuments({ customerId });

  const page = (method: 'GET' | 'POST', token: string, body?: string) =>
    fetch(`${test.baseUrl}/unsubscribe?token=${encodeURIComponent(token)}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('makes a link to the public address that names no one in clear', async () => {
    const id = await subscribedCustomer();
    const link = await linkFor(id);
    expect(link).toMatch(/^https:\/\/profile\.example\.com\/unsubscribe\?token=[A-Za-z0-9_-]+$/);
    const customer = await test.gateway.models.Customer.findById(id).lean();
    const decoded = Buffer.from(tokenOf(link), 'base64url').toString('latin1');
    expect(decoded).not.toContain(customer?.email ?? '?');
    expect(link).not.toContain(id);
  });

  it('shows what will stop on GET and changes nothing', async () => {
    const id = await subscribedCustomer();
    const before = await eventCount(id);
    const response = await page('GET', tokenOf(await linkFor(id)));
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).toContain('Unsubscribe from Waitrose marketing emails');
    expect(html).toMatch(/<form method="post" action="\/unsubscribe\?token=[^"]+">/);
    expect(Buffer.byteLength(html)).toBeLessThan(4096);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await eventCount(id)).toBe(before);
    expect(await allowed(id, 'WAITROSE', 'EMAIL')).toBe(true);
  });

  it.each([
    ['a mail client’s one-click post', 'List-Unsubscribe=One-Click', 'one-click unsubscribe'],
    ['the page’s button', '', 'unsubscribe page button'],
  ])('stops that brand’s email, and nothing else, on %s', async (_how, body, evidence) => {
    const id = await subscribedCustomer();
    const response = await page('POST', tokenOf(await linkFor(id)), body);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).toContain('Waitrose will not send you any more marketing emails');
    expect(html).toContain('Calls or emails about a quote you asked for that is still open');
    expect(await allowed(id, 'WAITROSE', 'EMAIL')).toBe(false);
    expect(await allowed(id, 'WAITROSE', 'SMS')).toBe(true);
    expect(await allowed(id, 'JOHN_LEWIS', 'EMAIL')).toBe(true);

    const events = await test.gateway.models.ConsentEvent.find({ customerId: id })
      .sort({ seq: -1 })
      .lean();
    expect(events[0]).toMatchObject({
      brand: 'WAITROSE',
      channel: 'EMAIL',
      granted: false,
      previous: 'GRANTED',
      source: 'EMAIL_UNSUBSCRIBE',
    });
    const payload = await test.gateway.models.ConsentPayload.findById(events[0]._id).lean();
    expect(payload?.evidence).toContain(evidence);
  });

  it('stops the email through the mutation, which anyone holding the link may call', async () => {
    const id = await subscribedCustomer();
    const token = tokenOf(await linkFor(id));
    const first = await test.client.data(UNSUBSCRIBE, { token });
    expect(first.unsubscribe).toEqual({ brand: 'WAITROSE', changed: true });
    expect(await allowed(id, 'WAITROSE', 'EMAIL')).toBe(false);
  });

  it('writes one event however often the link is used', async () => {
    const id = await subscribedCustomer();
    const token = tokenOf(await linkFor(id));
    const before = await eventCount(id);
    await page('POST', token, 'List-Unsubscribe=One-Click');
    await page('POST', token, '');
    const again = await test.client.data(UNSUBSCRIBE, { token });
    expect(again.unsubscribe).toEqual({ brand: 'WAITROSE', changed: false });
    expect(await eventCount(id)).toBe(before + 1);
  });

  it('keeps working for a link made a year and more ago', async () => {
    const id = await subscribedCustomer();
    const token = tokenOf(await linkFor(id));
    test.clock.set('2027-12-20T09:00:00.000Z');
    expect((await test.client.data(UNSUBSCRIBE, { token })).unsubscribe.changed).toBe(true);
  });

  describe('a link that is not one of ours', () => {
    const badTokens = async (customerId: string) => {
      const good = tokenOf(await linkFor(customerId));
      const flipped = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
      const issued = new Date(TODAY);
      return [
        ['tampered', flipped],
        ['truncated', good.slice(0, -5)],
        [
          'signed with another key',
          signUnsubscribeToken('x'.repeat(40), { customerId, brand: Brand.WAITROSE }, issued),
        ],
        ['malformed', 'not a token <script>alert(1)</script>'],
        ['empty', ''],
        [
          'past its lifetime',
          signUnsubscribeToken(
            TEST_SECRET,
            { customerId, brand: Brand.WAITROSE },
            new Date('2023-01-01T00:00:00Z'),
          ),
        ],
        [
          'from the future',
          signUnsubscribeToken(
            TEST_SECRET,
            { customerId, brand: Brand.WAITROSE },
            new Date('2027-01-01T00:00:00Z'),
          ),
        ],
      ] as const;
    };

    it('gets a clear 400 page or BAD_USER_INPUT, and nothing is written', async () => {
      const id = await subscribedCustomer();
      const before = await eventCount(id);
      for (const [name, token] of await badTokens(id)) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await page(
            method,
            token,
            method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined,
          );
          const html = await response.text();
          expect({ name, method, status: response.status }).toEqual({ name, method, status: 400 });
          expect(html).toContain('This unsubscribe link does not work');
          expect(html).not.toContain('<script>');
          expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        }
        await test.client.error(
          UNSUBSCRIBE,
          { token },
          {},
          { code: 'BAD_USER_INPUT', field: 'token' },
        );
      }
      expect(await eventCount(id)).toBe(before);
      expect(await allowed(id, 'WAITROSE', 'EMAIL')).toBe(true);
    });
  });

  describe('who may make a link', () => {
    it('marketing and staff for anyone; a brand for its own customers and brand only', async () => {
      const id = await subscribedCustomer();
      const waitroseOnly = (await seed(test.client).customer().withWaitroseAccount().create()).id;
      const staff = await staffToken();
      const waitrose = await brandToken(Brand.WAITROSE);
      const johnLewis = await brandToken(Brand.JOHN_LEWIS);

      expect(
        (
          await test.client.data(
            UNSUBSCRIBE_LINK,
            { customerId: id, brand: 'JOHN_LEWIS' },
            { token: staff },
          )
        ).unsubscribeLink,
      ).toMatch(/token=/);
      expect(
        (
          await test.client.data(
            UNSUBSCRIBE_LINK,
            { customerId: id, brand: 'WAITROSE' },
            { token: waitrose },
          )
        ).unsubscribeLink,
      ).toMatch(/token=/);
      const refused: [string, Record<string, unknown>, string | undefined, string][] = [
        ['another brand’s emails', { customerId: id, brand: 'JOHN_LEWIS' }, waitrose, 'FORBIDDEN'],
        [
          'a customer of another brand',
          { customerId: waitroseOnly, brand: 'JOHN_LEWIS' },
          johnLewis,
          'FORBIDDEN',
        ],
        ['a customer', { customerId: id, brand: 'WAITROSE' }, await customerToken(id), 'FORBIDDEN'],
        ['nobody signed in', { customerId: id, brand: 'WAITROSE' }, undefined, 'UNAUTHENTICATED'],
      ];
      for (const [_who, variables, token, code] of refused) {
        await test.client.error(UNSUBSCRIBE_LINK, variables, { token }, { code });
      }
      await test.client.error(
        UNSUBSCRIBE_LINK,
        { customerId: '0123456789abcdef01234567', brand: 'WAITROSE' },
        { token: marketing },
        { code: 'NOT_FOUND', field: 'customerId' },
      );
    });
  });
});
