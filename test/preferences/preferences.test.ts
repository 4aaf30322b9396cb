import { Types } from 'mongoose';

import { Brand } from '../../src/modules/customers/brand';
import { CONSENT_FEED_ID } from '../../src/modules/preferences/consent-event.model';
import { accountInput, seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import {
  customerToken,
  HISTORY,
  MY_PREFERENCES,
  PREFERENCE_FIELDS,
  PREFERENCES,
  SET_PREFERENCES,
  VERIFY,
  wholeFeed,
} from './operations';

/** Every change in this file happens on this day, so reasons and timestamps are exact. */
const TODAY = '2026-11-20T09:00:00.000Z';

describe('contact preferences', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('preferences');
    test.clock.set(TODAY);
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  const newCustomer = async () => {
    const { id } = await seed(test.client).customer().withWaitroseAccount().create();
    return { id, token: await customerToken(id) };
  };
  const set = async (token: string, input: Record<string, unknown>) =>
    (await test.client.data(SET_PREFERENCES, { input }, { token })).setPreferences;
  const preferencesOf = async (id: string, brand: Brand) =>
    (await test.client.data(PREFERENCES, { id, brand }, { token: staff })).customer.preferences[0];
  const historyOf = async (id: string) =>
    (await test.client.data(HISTORY, { id, first: 100 }, { token: staff })).customer.consentHistory
      .edges;

  it('gives every brand NOT_ASKED and false, at version 0, until something is set', async () => {
    const { token } = await newCustomer();
    const data = await test.client.data(MY_PREFERENCES, {}, { token });
    const preferences = data.me.preferences;
    expect(preferences.map((entry: { brand: string }) => entry.brand)).toEqual([
      'JOHN_LEWIS',
      'WAITROSE',
      'JOHN_LEWIS_FINANCE',
    ]);
    const waitrose = preferences[1];
    expect(waitrose).toMatchObject({
      email: false,
      sms: false,
      post: false,
      phone: false,
      thirdPartyOffers: false,
      quoteFollowUp: false,
      version: 0,
      updatedAt: null,
      push: [
        { topic: 'OFFERS', enabled: false, state: 'NOT_ASKED' },
        { topic: 'RECIPES', enabled: false, state: 'NOT_ASKED' },
        { topic: 'ORDER_UPDATES', enabled: false, state: 'NOT_ASKED' },
      ],
    });
    expect(waitrose.channels).toEqual(
      [
        ['EMAIL', null],
        ['SMS', null],
        ['POST', null],
        ['PHONE', null],
        ['PUSH', 'OFFERS'],
        ['PUSH', 'RECIPES'],
        ['PUSH', 'ORDER_UPDATES'],
      ].map(([channel, topic]) => ({
        channel,
        topic,
        state: 'NOT_ASKED',
        updatedAt: null,
        source: null,
      })),
    );
  });

  it('changes only the fields given, with one event per value that changed', async () => {
    const { id, token } = await newCustomer();
    const first = await set(token, {
      brand: 'WAITROSE',
      email: true,
      source: 'WEB',
      evidence: 'My Account page',
    });
    expect(first.preferences).toMatchObject({ email: true, sms: false, version: 1 });
    expect(first.preferences.updatedAt).toBe(TODAY);
    expect(first.changes).toEqual([
      {
        id: expect.any(String),
        customerId: id,
        brand: 'WAITROSE',
        channel: 'EMAIL',
        topic: null,
        purpose: 'MARKETING',
        granted: true,
        previous: 'NOT_ASKED',
        source: 'WEB',
        actor: { role: 'customer', subject: id },
        at: TODAY,
        evidence: 'My Account page',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);

    const second = await set(token, {
      brand: 'WAITROSE',
      sms: false,
      thirdPartyOffers: true,
      source: 'APP',
    });
    expect(second.preferences).toMatchObject({
      email: true,
      sms: false,
      thirdPartyOffers: true,
      version: 2,
    });
    expect(second.preferences.channels.slice(0, 2)).toEqual([
      { channel: 'EMAIL', topic: null, state: 'GRANTED', updatedAt: TODAY, source: 'WEB' },
      { channel: 'SMS', topic: null, state: 'WITHDRAWN', updatedAt: TODAY, source: 'APP' },
    ]);
    expect(
      second.changes.map((event: Record<string, unknown>) => [
        event.channel,
        event.purpose,
        event.granted,
        event.previous,
      ]),
    ).toEqual([
      ['SMS', 'MARKETING', false, 'NOT_ASKED'],
      [null, 'THIRD_PARTY_OFFERS', true, 'NOT_ASKED'],
    ]);
    // Other brands are untouched.
    expect(await preferencesOf(id, Brand.JOHN_LEWIS)).toMatchObject({ email: false, version: 0 });
  });

  it('writes nothing and returns no events when a call changes nothing', async () => {
    const { id, token } = await newCustomer();
    await set(token, { brand: 'WAITROSE', email: true, post: false, source: 'WEB' });
    const feedBefore = await wholeFeed(test.client);

    const again = await set(token, { brand: 'WAITROSE', email: true, post: false, source: 'APP' });
    const empty = await set(token, { brand: 'WAITROSE', source: 'WEB' });

    expect(again.changes).toEqual([]);
    expect(empty.changes).toEqual([]);
    expect(again.preferences).toMatchObject({ email: true, post: false, version: 1 });
    // The unchanged email still says where it was set.
    expect(again.preferences.channels[0].source).toBe('WEB');
    expect(await historyOf(id)).toHaveLength(2);
    expect(await wholeFeed(test.client)).toEqual(feedBefore);
  });

  describe('push topics', () => {
    it('turns one topic on or off, and every topic off at once with pushAll: false', async () => {
      const { token } = await newCustomer();
      const one = await set(token, {
        brand: 'WAITROSE',
        push: [{ topic: 'RECIPES', enabled: true }],
        source: 'APP',
        evidence: 'Waitrose app 5.2.1 (iOS)',
      });
      expect(one.preferences.push).toEqual([
        { topic: 'OFFERS', enabled: false, state: 'NOT_ASKED' },
        { topic: 'RECIPES', enabled: true, state: 'GRANTED' },
        { topic: 'ORDER_UPDATES', enabled: false, state: 'NOT_ASKED' },
      ]);
      expect(one.changes).toMatchObject([
        { channel: 'PUSH', topic: 'RECIPES', purpose: 'MARKETING', granted: true },
      ]);

      const all = await set(token, { brand: 'WAITROSE', pushAll: false, source: 'APP' });
      expect(all.preferences.push.map((topic: { state: string }) => topic.state)).toEqual([
        'WITHDRAWN',
        'WITHDRAWN',
        'WITHDRAWN',
      ]);
      expect(
        all.changes.map((event: Record<string, unknown>) => [event.topic, event.previous]),
      ).toEqual([
        ['OFFERS', 'NOT_ASKED'],
        ['RECIPES', 'GRANTED'],
        ['ORDER_UPDATES', 'NOT_ASKED'],
      ]);

      // pushAll first, then the topics named: "all on but recipes".
      const mixed = await set(token, {
        brand: 'WAITROSE',
        pushAll: true,
        push: [{ topic: 'RECIPES', enabled: false }],
        source: 'APP',
      });
      expect(mixed.preferences.push.map((topic: { enabled: boolean }) => topic.enabled)).toEqual([
        true,
        false,
        true,
      ]);
      expect(mixed.changes.map((event: { topic: string }) => event.topic)).toEqual([
        'OFFERS',
        'ORDER_UPDATES',
      ]);
    });

    it("refuses a topic the brand's app does not have, writing nothing", async () => {
      const { id, token } = await newCustomer();
      await test.client.error(
        SET_PREFERENCES,
        {
          input: {
            brand: 'WAITROSE',
            email: true,
            push: [
              { topic: 'OFFERS', enabled: true },
              { topic: 'NEW_ARRIVALS', enabled: true },
            ],
            source: 'APP',
          },
        },
        { token },
        { code: 'BAD_USER_INPUT', field: 'input.push.1.topic' },
      );
      expect(await preferencesOf(id, Brand.WAITROSE)).toMatchObject({ email: false, version: 0 });
    });
  });

  describe('expectedVersion', () => {
    it('is VERSION_CONFLICT when the preferences moved on, and writes nothing', async () => {
      const { id, token } = await newCustomer();
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB', expectedVersion: 0 });
      const error = await test.client.error(
        SET_PREFERENCES,
        { input: { brand: 'WAITROSE', email: false, source: 'WEB', expectedVersion: 0 } },
        { token },
        { code: 'VERSION_CONFLICT', field: 'input.expectedVersion' },
      );
      expect(error.message).toBe('The preferences are at version 1, not 0');
      expect(await preferencesOf(id, Brand.WAITROSE)).toMatchObject({ email: true, version: 1 });
      expect(await historyOf(id)).toHaveLength(1);

      const matching = await set(token, {
        brand: 'WAITROSE',
        email: false,
        source: 'WEB',
        expectedVersion: 1,
      });
      expect(matching.preferences).toMatchObject({ email: false, version: 2 });
    });
  });

  describe('idempotency keys', () => {
    it('returns the first result again and writes nothing, even after later changes', async () => {
      const { id, token } = await newCustomer();
      const input = { brand: 'WAITROSE', email: true, source: 'WEB', idempotencyKey: 'k-1' };
      const first = await set(token, input);
      await set(token, { brand: 'WAITROSE', email: false, source: 'WEB' });

      const replay = await set(token, input);
      expect(replay).toEqual(first);
      expect(await preferencesOf(id, Brand.WAITROSE)).toMatchObject({ email: false, version: 2 });
      expect(await historyOf(id)).toHaveLength(2);
    });

    it('refuses the same key with another input as BAD_USER_INPUT, writing nothing', async () => {
      const { id, token } = await newCustomer();
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB', idempotencyKey: 'k-2' });
      await test.client.error(
        SET_PREFERENCES,
        { input: { brand: 'WAITROSE', sms: true, source: 'WEB', idempotencyKey: 'k-2' } },
        { token },
        { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
      );
      expect(await preferencesOf(id, Brand.WAITROSE)).toMatchObject({ sms: false, version: 1 });
    });

    it("keeps one caller's key apart from another's", async () => {
      const { id, token } = await newCustomer();
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB', idempotencyKey: 'k-3' });
      const byStaff = await set(staff, {
        customerId: id,
        brand: 'WAITROSE',
        sms: true,
        source: 'STAFF',
        idempotencyKey: 'k-3',
      });
      expect(byStaff.preferences).toMatchObject({ email: true, sms: true, version: 2 });
    });

    it('holds across gateway instances on the same database', async () => {
      const other = await startTestGateway('preferences-other', {
        env: { MONGODB_DATABASE: test.gateway.connection.name },
      });
      try {
        const { id, token } = await newCustomer();
        const input = { brand: 'WAITROSE', post: true, source: 'WEB', idempotencyKey: 'k-4' };
        const first = await set(token, input);
        const replay = (await other.client.data(SET_PREFERENCES, { input }, { token }))
          .setPreferences;
        expect(replay).toEqual(first);
        expect(await historyOf(id)).toHaveLength(1);
      } finally {
        // Not other.stop(): that would drop the database this file's gateway still uses.
        await other.gateway.stop();
      }
    });

    it('is kept in MongoDB with a TTL index', async () => {
      const indexes = await test.gateway.models.IdempotencyKey.listIndexes();
      expect(indexes).toContainEqual(
        expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }),
      );
    });
  });

  it('lets later fields of the same request read what setPreferences wrote', async () => {
    const built = await seed(test.client).customer().withWaitroseAccount().create();
    const account = accountInput({
      brand: 'WAITROSE',
      accountId: built.accounts[0].accountId,
      email: built.email,
    });
    const data = await test.client.data(
      /* GraphQL */ `
        mutation Fresh($account: BrandAccountInput!, $prefs: SetPreferencesInput!) {
          before: upsertBrandAccount(input: $account) {
            preferences(brand: WAITROSE) {
              ...Prefs
            }
          }
          setPreferences(input: $prefs) {
            preferences {
              version
            }
          }
          after: upsertBrandAccount(input: $account) {
            preferences(brand: WAITROSE) {
              ...Prefs
            }
          }
        }
        ${PREFERENCE_FIELDS}
      `,
      {
        account,
        prefs: { customerId: built.id, brand: 'WAITROSE', email: true, source: 'WEB' },
      },
      { token: await brandToken(Brand.WAITROSE) },
    );
    expect(data.before.preferences[0]).toMatchObject({ email: false, version: 0 });
    expect(data.after.preferences[0]).toMatchObject({ email: true, version: 1 });
  });

  it('lists the consent history newest first, page by page, per brand', async () => {
    const { id, token } = await newCustomer();
    await set(token, { brand: 'WAITROSE', email: true, source: 'WEB' });
    await set(token, { brand: 'JOHN_LEWIS', sms: true, source: 'WEB' });
    await set(token, { brand: 'WAITROSE', email: false, source: 'APP' });

    const page = async (variables: Record<string, unknown>) =>
      (await test.client.data(HISTORY, { id, ...variables }, { token: staff })).customer
        .consentHistory;
    const firstPage = await page({ first: 2 });
    expect(firstPage.edges.map((edge: { node: { source: string } }) => edge.node.source)).toEqual([
      'APP',
      'WEB',
    ]);
    expect(firstPage.edges[1].node.brand).toBe('JOHN_LEWIS');
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const secondPage = await page({ first: 2, after: firstPage.pageInfo.endCursor });
    expect(secondPage.edges).toHaveLength(1);
    expect(secondPage.edges[0].node).toMatchObject({ brand: 'WAITROSE', granted: true });
    expect(secondPage.pageInfo.hasNextPage).toBe(false);

    const waitroseOnly = await page({ brand: 'WAITROSE' });
    expect(
      waitroseOnly.edges.map((edge: { node: { granted: boolean } }) => edge.node.granted),
    ).toEqual([false, true]);
    await test.client.error(
      HISTORY,
      { id, after: 'bm90LWEtY3Vyc29y' },
      { token: staff },
      { code: 'BAD_USER_INPUT', field: 'after' },
    );
  });

  describe('the consent trail', () => {
    const verify = async (customerId: string) =>
      (await test.client.data(VERIFY, { customerId }, { token: staff })).verifyConsentTrail;

    it('verifies, still verifies once payloads are erased, and names an edited event', async () => {
      const { id, token } = await newCustomer();
      expect(await verify(id)).toEqual({ valid: true, events: 0, firstBrokenEventId: null });
      await set(token, { brand: 'WAITROSE', email: true, source: 'WEB', evidence: 'ref A' });
      const { changes } = await set(token, {
        brand: 'JOHN_LEWIS',
        sms: true,
        post: true,
        source: 'APP',
        evidence: 'John Lewis app 9.1',
      });
      await set(token, { brand: 'WAITROSE', email: false, source: 'WEB' });
      expect(await verify(id)).toEqual({ valid: true, events: 4, firstBrokenEventId: null });

      // Erasure: every payload of the customer gone, the chain intact.
      const customerId = new Types.ObjectId(id);
      await test.gateway.connection.collection('consentPayloads').deleteMany({ customerId });
      expect(await verify(id)).toEqual({ valid: true, events: 4, firstBrokenEventId: null });
      const history = await historyOf(id);
      expect(history.every((edge: { node: { evidence: null } }) => !edge.node.evidence)).toBe(true);

      // Someone rewrites history directly in the database.
      const tampered = changes[1];
      await test.gateway.connection
        .collection('consentEvents')
        .updateOne({ _id: new Types.ObjectId(tampered.id) }, { $set: { granted: false } });
      expect(await verify(id)).toEqual({
        valid: false,
        events: 4,
        firstBrokenEventId: tampered.id,
      });
    });

    it('names an event whose payload was edited', async () => {
      const { id, token } = await newCustomer();
      const { changes } = await set(token, {
        brand: 'WAITROSE',
        email: true,
        source: 'WEB',
        evidence: 'letter JL-123',
      });
      await test.gateway.connection
        .collection('consentPayloads')
        .updateOne({ _id: new Types.ObjectId(changes[0].id) }, { $set: { evidence: 'forged' } });
      expect(await verify(id)).toEqual({
        valid: false,
        events: 1,
        firstBrokenEventId: changes[0].id,
      });
    });

    it('names the event after one deleted from the middle', async () => {
      const { id, token } = await newCustomer();
      const { changes } = await set(token, {
        brand: 'WAITROSE',
        email: true,
        sms: true,
        post: true,
        source: 'WEB',
      });
      await test.gateway.connection
        .collection('consentEvents')
        .deleteOne({ _id: new Types.ObjectId(changes[1].id) });
      expect(await verify(id)).toMatchObject({ valid: false, firstBrokenEventId: changes[2].id });
    });
  });

  it('never keeps a change without its event: a failing event write leaves nothing', async () => {
    const { id, token } = await newCustomer();
    const counter = async () =>
      (await test.gateway.models.FeedCounter.findById(CONSENT_FEED_ID).lean())?.position ?? 0;
    const position = await counter();
    // A document already holding the next feed position makes the event insert fail for real.
    const events = test.gateway.connection.collection('consentEvents');
    const blocker = await events.insertOne({ position: position + 1, blocker: true });
    try {
      await test.client.error(
        SET_PREFERENCES,
        { input: { brand: 'WAITROSE', email: true, source: 'WEB', evidence: 'x' } },
        { token },
        { code: 'INTERNAL_SERVER_ERROR' },
      );
      expect(await preferencesOf(id, Brand.WAITROSE)).toMatchObject({ email: false, version: 0 });
      expect(await historyOf(id)).toEqual([]);
      expect(await counter()).toBe(position);
      expect(
        await test.gateway.connection
          .collection('consentPayloads')
          .countDocuments({ customerId: new Types.ObjectId(id) }),
      ).toBe(0);
    } finally {
      await events.deleteOne({ _id: blocker.insertedId });
    }
    const retried = await set(token, { brand: 'WAITROSE', email: true, source: 'WEB' });
    expect(retried.preferences).toMatchObject({ email: true, version: 1 });
  });
});
