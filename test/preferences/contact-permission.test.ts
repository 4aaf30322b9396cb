import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { CONTACT_PERMISSION, customerToken, marketingToken, SET_PREFERENCES } from './operations';

const TODAY = '2026-11-20T09:00:00.000Z';

describe('contactPermission', () => {
  let test: TestGateway;
  let marketing: string;

  beforeAll(async () => {
    test = await startTestGateway('contact-permission');
    marketing = await marketingToken();
  });
  beforeEach(() => test.clock.set(TODAY));
  afterAll(() => test.stop());

  const newCustomer = async (build = seed(test.client).customer().withWaitroseAccount()) => {
    const { id, quotes } = await build.create();
    return { id, quotes, token: await customerToken(id) };
  };
  const set = (token: string, input: Record<string, unknown>) =>
    test.client.data(SET_PREFERENCES, { input }, { token });
  const ask = async (customerId: string, question: Record<string, unknown>) =>
    (await test.client.data(CONTACT_PERMISSION, { customerId, ...question }, { token: marketing }))
      .contactPermission;

  describe('MARKETING', () => {
    it('is refused until asked, allowed while GRANTED, refused once WITHDRAWN', async () => {
      const { id, token } = await newCustomer();
      const email = { brand: 'WAITROSE', channel: 'EMAIL' };
      expect(await ask(id, email)).toEqual({
        allowed: false,
        reason: 'email NOT_ASKED',
        version: 0,
        asOf: TODAY,
      });
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB' });
      expect(await ask(id, { ...email, purpose: 'MARKETING' })).toEqual({
        allowed: true,
        reason: 'email GRANTED via WEB on 2026-11-20',
        version: 1,
        asOf: TODAY,
      });
      test.clock.set('2026-11-21T08:00:00.000Z');
      await set(token, { brand: 'WAITROSE', email: false, source: 'APP' });
      // The very next call sees the opt-out.
      expect(await ask(id, email)).toMatchObject({
        allowed: false,
        reason: 'email WITHDRAWN via APP on 2026-11-21',
        version: 2,
      });
      // Another brand's consent is another brand's.
      expect(await ask(id, { brand: 'JOHN_LEWIS', channel: 'EMAIL' })).toMatchObject({
        allowed: false,
        reason: 'email NOT_ASKED',
      });
    });

    it('sees an opt-out at once from another gateway instance', async () => {
      const other = await startTestGateway('contact-permission-other', {
        env: { MONGODB_DATABASE: test.gateway.connection.name },
      });
      try {
        const { id, token } = await newCustomer();
        await set(token, { brand: 'WAITROSE', sms: true, source: 'WEB' });
        const question = { customerId: id, brand: 'WAITROSE', channel: 'SMS' };
        const before = await other.client.data(CONTACT_PERMISSION, question, {
          token: marketing,
        });
        expect(before.contactPermission.allowed).toBe(true);
        await set(token, { brand: 'WAITROSE', sms: false, source: 'WEB' });
        const after = await other.client.data(CONTACT_PERMISSION, question, { token: marketing });
        expect(after.contactPermission.allowed).toBe(false);
      } finally {
        await other.gateway.stop();
      }
    });

    it('answers PUSH per topic, and needs a known topic for PUSH only', async () => {
      const { id, token } = await newCustomer();
      await set(token, {
        brand: 'WAITROSE',
        push: [{ topic: 'OFFERS', enabled: true }],
        source: 'APP',
      });
      expect(await ask(id, { brand: 'WAITROSE', channel: 'PUSH', topic: 'OFFERS' })).toMatchObject({
        allowed: true,
        reason: 'push OFFERS GRANTED via APP on 2026-11-20',
      });
      expect(await ask(id, { brand: 'WAITROSE', channel: 'PUSH', topic: 'RECIPES' })).toMatchObject(
        { allowed: false, reason: 'push RECIPES NOT_ASKED' },
      );

      for (const [question, field] of [
        [{ brand: 'WAITROSE', channel: 'PUSH' }, 'topic'],
        [{ brand: 'WAITROSE', channel: 'PUSH', topic: 'NEW_ARRIVALS' }, 'topic'],
        [{ brand: 'WAITROSE', channel: 'EMAIL', topic: 'OFFERS' }, 'topic'],
      ] as const) {
        await test.client.error(
          CONTACT_PERMISSION,
          { customerId: id, ...question },
          { token: marketing },
          { code: 'BAD_USER_INPUT', field },
        );
      }
    });

    it('is NOT_FOUND for a customer that does not exist', async () => {
      await test.client.error(
        CONTACT_PERMISSION,
        { customerId: '0123456789abcdef01234567', brand: 'WAITROSE', channel: 'EMAIL' },
        { token: marketing },
        { code: 'NOT_FOUND', field: 'customerId' },
      );
    });
  });

  describe('THIRD_PARTY_OFFERS', () => {
    it('needs both the channel and thirdPartyOffers GRANTED', async () => {
      const { id, token } = await newCustomer();
      const question = { brand: 'WAITROSE', channel: 'EMAIL', purpose: 'THIRD_PARTY_OFFERS' };
      await set(token, { brand: 'WAITROSE', thirdPartyOffers: true, source: 'WEB' });
      expect(await ask(id, question)).toMatchObject({
        allowed: false,
        reason: 'email NOT_ASKED',
      });
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB' });
      expect(await ask(id, question)).toMatchObject({
        allowed: true,
        reason:
          'email GRANTED via WEB on 2026-11-20 and thirdPartyOffers GRANTED via WEB on 2026-11-20',
      });
      await set(token, { brand: 'WAITROSE', thirdPartyOffers: false, source: 'APP' });
      expect(await ask(id, question)).toMatchObject({
        allowed: false,
        reason: 'thirdPartyOffers WITHDRAWN via APP on 2026-11-20',
      });
      // The brand's own marketing on the channel is unaffected.
      expect(await ask(id, { ...question, purpose: 'MARKETING' })).toMatchObject({
        allowed: true,
      });
    });
  });

  describe('QUOTE_FOLLOW_UP', () => {
    // The builder's quotes are valid for 30 days from createdAt.
    const CREATED = '2026-11-10T10:00:00.000Z';
    const VALID_UNTIL = '2026-12-10T10:00:00.000Z';
    const quoted = () =>
      newCustomer(
        seed(test.client)
          .customer()
          .withFinanceAccount()
          .withQuote(QuoteProduct.HOME, QuoteStatus.QUOTED, CREATED),
      );
    const followUp = { brand: 'JOHN_LEWIS_FINANCE', channel: 'PHONE', purpose: 'QUOTE_FOLLOW_UP' };

    it('rests on a QUOTED quote still valid, not on marketing consent', async () => {
      const { id, quotes, token } = await quoted();
      await set(token, {
        brand: 'JOHN_LEWIS_FINANCE',
        email: false,
        phone: false,
        source: 'WEB',
      });
      const reason = `quote ${quotes[0].reference} valid until 2026-12-10`;
      expect(await ask(id, followUp)).toMatchObject({ allowed: true, reason });
      expect(await ask(id, { ...followUp, channel: 'EMAIL' })).toMatchObject({
        allowed: true,
        reason,
      });
    });

    it('ends the moment validUntil has passed', async () => {
      const { id } = await quoted();
      test.clock.set(VALID_UNTIL);
      expect(await ask(id, followUp)).toMatchObject({ allowed: true });
      test.clock.set('2026-12-10T10:00:00.001Z');
      expect(await ask(id, followUp)).toMatchObject({
        allowed: false,
        reason: 'no QUOTED quote still valid',
      });
    });

    it('needs the quote to be QUOTED', async () => {
      const { id } = await newCustomer(
        seed(test.client)
          .customer()
          .withFinanceAccount()
          .withQuote(QuoteProduct.CAR, QuoteStatus.PURCHASED, CREATED)
          .withQuote(QuoteProduct.PET, QuoteStatus.DECLINED, CREATED),
      );
      expect(await ask(id, followUp)).toMatchObject({
        allowed: false,
        reason: 'no QUOTED quote still valid',
      });
    });

    it('stops once quoteFollowUp is WITHDRAWN, without touching marketing', async () => {
      const { id, quotes, token } = await quoted();
      await set(token, {
        brand: 'JOHN_LEWIS_FINANCE',
        email: true,
        quoteFollowUp: false,
        source: 'APP',
      });
      expect(await ask(id, followUp)).toMatchObject({
        allowed: false,
        reason: 'quoteFollowUp WITHDRAWN via APP on 2026-11-20',
      });
      expect(
        await ask(id, { brand: 'JOHN_LEWIS_FINANCE', channel: 'EMAIL', purpose: 'MARKETING' }),
      ).toMatchObject({ allowed: true });
      await set(token, { brand: 'JOHN_LEWIS_FINANCE', quoteFollowUp: true, source: 'APP' });
      expect(await ask(id, followUp)).toMatchObject({
        allowed: true,
        reason: `quote ${quotes[0].reference} valid until 2026-12-10`,
      });
    });

    it('is for John Lewis Finance, by PHONE or EMAIL only', async () => {
      const { id } = await quoted();
      expect(await ask(id, { ...followUp, brand: 'JOHN_LEWIS' })).toMatchObject({
        allowed: false,
        reason: 'quote follow-up is by JOHN_LEWIS_FINANCE only',
      });
      expect(await ask(id, { ...followUp, channel: 'SMS' })).toMatchObject({
        allowed: false,
        reason: 'quote follow-up is by PHONE or EMAIL only',
      });
    });
  });
});
