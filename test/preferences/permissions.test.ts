import { Brand } from '../../src/modules/customers/brand';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import {
  CONTACT_PERMISSION,
  customerToken,
  FEED,
  HISTORY,
  marketingToken,
  MY_HISTORY,
  MY_PREFERENCES,
  PREFERENCES,
  SET_PREFERENCES,
  VERIFY,
} from './operations';

type Caller =
  | 'customer-self'
  | 'customer-other'
  | 'john-lewis'
  | 'waitrose'
  | 'finance'
  | 'staff'
  | 'marketing'
  | 'anonymous';

/**
 * The permission rows of the README for the preference operations, each tried by every kind
 * of caller. The customer holds John Lewis and Waitrose accounts and no quote, so John Lewis
 * Finance may not read them.
 */
describe('who may use the preference operations', () => {
  let test: TestGateway;
  let customerId: string;
  let tokens: Record<Caller, string | undefined>;

  beforeAll(async () => {
    test = await startTestGateway('preference-permissions');
    const built = await seed(test.client)
      .customer()
      .withJohnLewisAccount()
      .withWaitroseAccount()
      .create();
    const other = await seed(test.client).customer().withWaitroseAccount().create();
    customerId = built.id;
    tokens = {
      'customer-self': await customerToken(customerId),
      'customer-other': await customerToken(other.id),
      'john-lewis': await brandToken(Brand.JOHN_LEWIS),
      waitrose: await brandToken(Brand.WAITROSE),
      finance: await brandToken(Brand.JOHN_LEWIS_FINANCE),
      staff: await staffToken(),
      marketing: await marketingToken(),
      anonymous: undefined,
    };
  });
  afterAll(() => test.stop());

  const as = (caller: Caller) => ({ token: tokens[caller] });
  /** How many consent events the customer has: a refused call must not add one. */
  const eventCount = async () =>
    (await test.client.data(VERIFY, { customerId }, as('staff'))).verifyConsentTrail.events;

  describe('setPreferences', () => {
    const allowed: [Caller, Record<string, unknown>][] = [
      ['customer-self', { brand: 'WAITROSE', email: true, source: 'WEB' }],
      ['customer-self', { customerId: '<self>', brand: 'JOHN_LEWIS', email: true, source: 'APP' }],
      ['waitrose', { customerId: '<self>', brand: 'WAITROSE', sms: true, source: 'WEB' }],
      ['john-lewis', { customerId: '<self>', brand: 'JOHN_LEWIS', sms: true, source: 'APP' }],
      ['staff', { customerId: '<self>', brand: 'JOHN_LEWIS_FINANCE', post: true, source: 'STAFF' }],
      ['staff', { customerId: '<self>', brand: 'JOHN_LEWIS_FINANCE', phone: true, source: 'POST' }],
    ];
    it.each(allowed)('is allowed for %s with %j', async (caller, input) => {
      const before = await eventCount();
      const data = await test.client.data(
        SET_PREFERENCES,
        { input: { ...input, ...(input.customerId ? { customerId } : {}) } },
        as(caller),
      );
      expect(data.setPreferences.changes).toHaveLength(1);
      expect(await eventCount()).toBe(before + 1);
    });

    const refused: [Caller, Record<string, unknown>, string][] = [
      ['customer-self', { brand: 'WAITROSE', post: true, source: 'STAFF' }, 'FORBIDDEN'],
      ['customer-self', { brand: 'WAITROSE', post: true, source: 'POST' }, 'FORBIDDEN'],
      [
        'customer-other',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      [
        'waitrose',
        { customerId: '<self>', brand: 'JOHN_LEWIS', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      ['waitrose', { brand: 'WAITROSE', post: true, source: 'WEB' }, 'FORBIDDEN'],
      [
        'waitrose',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'STAFF' },
        'FORBIDDEN',
      ],
      [
        'john-lewis',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      [
        'finance',
        { customerId: '<self>', brand: 'JOHN_LEWIS_FINANCE', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      [
        'staff',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      ['staff', { brand: 'WAITROSE', post: true, source: 'STAFF' }, 'FORBIDDEN'],
      [
        'marketing',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'WEB' },
        'FORBIDDEN',
      ],
      [
        'anonymous',
        { customerId: '<self>', brand: 'WAITROSE', post: true, source: 'WEB' },
        'UNAUTHENTICATED',
      ],
    ];
    it.each(refused)('is refused for %s with %j, writing nothing', async (caller, input, code) => {
      const before = await eventCount();
      await test.client.error(
        SET_PREFERENCES,
        { input: { ...input, ...(input.customerId ? { customerId } : {}) } },
        as(caller),
        { code },
      );
      expect(await eventCount()).toBe(before);
      const post = await test.client.data(PREFERENCES, { id: customerId }, as('staff'));
      expect(post.customer.preferences.map((entry: { post: boolean }) => entry.post)).toEqual([
        false,
        false,
        expect.any(Boolean),
      ]);
    });
  });

  describe('Customer.preferences and Customer.consentHistory', () => {
    const brandsOf = (entries: { brand: string }[]) => entries.map((entry) => entry.brand);
    const historyBrands = (connection: { edges: { node: { brand: string } }[] }) =>
      [...new Set(connection.edges.map((edge) => edge.node.brand))].sort();

    it('shows the customer and staff every brand', async () => {
      const mine = await test.client.data(MY_PREFERENCES, {}, as('customer-self'));
      expect(brandsOf(mine.me.preferences)).toEqual([
        'JOHN_LEWIS',
        'WAITROSE',
        'JOHN_LEWIS_FINANCE',
      ]);
      const myHistory = await test.client.data(MY_HISTORY, {}, as('customer-self'));
      expect(historyBrands(myHistory.me.consentHistory)).toEqual([
        'JOHN_LEWIS',
        'JOHN_LEWIS_FINANCE',
        'WAITROSE',
      ]);
      const seen = await test.client.data(PREFERENCES, { id: customerId }, as('staff'));
      expect(brandsOf(seen.customer.preferences)).toHaveLength(3);
      const history = await test.client.data(HISTORY, { id: customerId }, as('staff'));
      expect(historyBrands(history.customer.consentHistory)).toHaveLength(3);
    });

    it.each([
      ['waitrose', 'WAITROSE', 'JOHN_LEWIS'],
      ['john-lewis', 'JOHN_LEWIS', 'WAITROSE'],
    ] as const)(
      'shows %s its own brand only; another brand is FORBIDDEN',
      async (caller, own, other) => {
        const all = await test.client.data(PREFERENCES, { id: customerId }, as(caller));
        expect(brandsOf(all.customer.preferences)).toEqual([own]);
        const asked = await test.client.data(
          PREFERENCES,
          { id: customerId, brand: own },
          as(caller),
        );
        expect(brandsOf(asked.customer.preferences)).toEqual([own]);
        const history = await test.client.data(HISTORY, { id: customerId }, as(caller));
        expect(historyBrands(history.customer.consentHistory)).toEqual([own]);
        for (const query of [PREFERENCES, HISTORY]) {
          await test.client.error(query, { id: customerId, brand: other }, as(caller), {
            code: 'FORBIDDEN',
          });
        }
      },
    );

    it.each([
      ['finance', 'FORBIDDEN'],
      ['customer-other', 'FORBIDDEN'],
      ['marketing', 'FORBIDDEN'],
      ['anonymous', 'UNAUTHENTICATED'],
    ] as const)('refuses %s', async (caller, code) => {
      for (const query of [PREFERENCES, HISTORY]) {
        await test.client.error(query, { id: customerId }, as(caller), { code });
      }
    });

    it("hides evidence from those who may not see the customer's details", async () => {
      const response = await test.client.request(
        `{ preferenceChanges(first: 1) { edges { node { id evidence } } } }`,
        {},
        as('marketing'),
      );
      expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
      const forStaff = await test.client.data(
        `{ preferenceChanges(first: 1) { edges { node { id evidence } } } }`,
        {},
        as('staff'),
      );
      expect(forStaff.preferenceChanges.edges).toHaveLength(1);
    });
  });

  describe('contactPermission', () => {
    const ask = (caller: Caller, brand: string) =>
      test.client.request(CONTACT_PERMISSION, { customerId, brand, channel: 'EMAIL' }, as(caller));

    it.each([
      ['marketing', 'JOHN_LEWIS_FINANCE'],
      ['staff', 'WAITROSE'],
      ['waitrose', 'WAITROSE'],
      ['john-lewis', 'JOHN_LEWIS'],
    ] as const)('answers %s about %s', async (caller, brand) => {
      const response = await ask(caller, brand);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toMatchObject({
        contactPermission: { allowed: expect.any(Boolean) },
      });
    });

    it.each([
      ['waitrose', 'JOHN_LEWIS', 'FORBIDDEN'],
      ['finance', 'JOHN_LEWIS_FINANCE', 'FORBIDDEN'],
      ['customer-self', 'WAITROSE', 'FORBIDDEN'],
      ['customer-other', 'WAITROSE', 'FORBIDDEN'],
      ['anonymous', 'WAITROSE', 'UNAUTHENTICATED'],
    ] as const)('refuses %s about %s', async (caller, brand, code) => {
      await test.client.error(
        CONTACT_PERMISSION,
        { customerId, brand, channel: 'EMAIL' },
        as(caller),
        { code },
      );
    });
  });

  describe.each([
    ['preferenceChanges', FEED, {}, ['marketing', 'staff']],
    ['verifyConsentTrail', VERIFY, { customerId: '<self>' }, ['staff']],
  ] as const)('%s', (_name, query, variables, allowedCallers) => {
    const callers: Caller[] = [
      'customer-self',
      'customer-other',
      'john-lewis',
      'waitrose',
      'finance',
      'staff',
      'marketing',
      'anonymous',
    ];
    it.each(callers)('answers only its callers: %s', async (caller) => {
      const vars = 'customerId' in variables ? { customerId } : {};
      if ((allowedCallers as readonly Caller[]).includes(caller)) {
        await test.client.data(query, vars, as(caller));
      } else {
        await test.client.error(query, vars, as(caller), {
          code: caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        });
      }
    });
  });
});
