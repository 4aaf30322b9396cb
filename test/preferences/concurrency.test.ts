import { Brand } from '../../src/modules/customers/brand';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';
import { customerToken, FEED, HISTORY, SET_PREFERENCES, VERIFY, wholeFeed } from './operations';

describe('preferences under concurrent writers', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('preference-concurrency');
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  const set = async (token: string, input: Record<string, unknown>) =>
    (await test.client.data(SET_PREFERENCES, { input }, { token })).setPreferences;

  it('keeps every concurrent change to different channels of one brand', async () => {
    const { id } = await seed(test.client).customer().withWaitroseAccount().create();
    const token = await customerToken(id);
    const inputs: Record<string, unknown>[] = [
      { email: true },
      { sms: true },
      { post: false },
      { phone: true },
      { thirdPartyOffers: true },
      { quoteFollowUp: false },
      { push: [{ topic: 'OFFERS', enabled: true }] },
      { push: [{ topic: 'RECIPES', enabled: false }] },
      { push: [{ topic: 'ORDER_UPDATES', enabled: true }] },
    ];
    const results = await Promise.all(
      inputs.map((input) => set(token, { brand: 'WAITROSE', source: 'APP', ...input })),
    );

    // Each call changed one value: one event each, and the versions 1…n, one per call.
    expect(results.map((result) => result.changes.length)).toEqual(inputs.map(() => 1));
    expect(results.map((result) => result.preferences.version).sort((a, b) => a - b)).toEqual(
      inputs.map((_input, index) => index + 1),
    );
    const data = await test.client.data(
      `query ($id: ID!) { customer(id: $id) { preferences(brand: WAITROSE) {
        email sms post phone thirdPartyOffers quoteFollowUp version
        push { topic state }
      } } }`,
      { id },
      { token: staff },
    );
    expect(data.customer.preferences[0]).toEqual({
      email: true,
      sms: true,
      post: false,
      phone: true,
      thirdPartyOffers: true,
      quoteFollowUp: false,
      version: inputs.length,
      push: [
        { topic: 'OFFERS', state: 'GRANTED' },
        { topic: 'RECIPES', state: 'WITHDRAWN' },
        { topic: 'ORDER_UPDATES', state: 'GRANTED' },
      ],
    });
    const history = await test.client.data(
      HISTORY,
      { id, brand: Brand.WAITROSE },
      { token: staff },
    );
    expect(history.customer.consentHistory.edges).toHaveLength(inputs.length);
    const trail = await test.client.data(VERIFY, { customerId: id }, { token: staff });
    expect(trail.verifyConsentTrail).toEqual({
      valid: true,
      events: inputs.length,
      firstBrokenEventId: null,
    });
  });

  it('feeds every event exactly once, in order, to a reader paging while writers run', async () => {
    const customers = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const { id } = await seed(test.client).customer().withJohnLewisAccount().create();
        return { id, token: await customerToken(id) };
      }),
    );
    const start = (await test.client.data(FEED, { first: 100 }, { token: staff }))
      .preferenceChanges;
    const feedBefore = start.edges.length;

    // Each writer flips its customer's email and sms a few times, one call after another.
    const ROUNDS = 6;
    let writing = customers.length;
    const writers = customers.map(async ({ token }) => {
      try {
        for (let round = 0; round < ROUNDS; round++) {
          await set(token, {
            brand: 'JOHN_LEWIS',
            email: round % 2 === 0,
            sms: round % 2 === 1,
            source: 'WEB',
          });
        }
      } finally {
        writing -= 1;
      }
    });

    // The reader pages from a saved cursor in pages of 3 until the writers are done and the
    // feed has nothing more.
    const seen: string[] = [];
    let after: string = start.pageInfo.endCursor;
    const reader = (async () => {
      for (;;) {
        const done = writing === 0;
        const { edges, pageInfo } = (
          await test.client.data(FEED, { after, first: 3 }, { token: staff })
        ).preferenceChanges;
        for (const edge of edges) seen.push(edge.node.id);
        after = pageInfo.endCursor;
        if (done && edges.length === 0) return;
      }
    })();
    await Promise.all([...writers, reader]);

    const whole = (await wholeFeed(test.client)).map((event) => event.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(whole.slice(feedBefore));
    expect(seen).toHaveLength(customers.length * ROUNDS * 2);
  });
});
