import { BSON, type Document } from 'mongodb';
import { type Types } from 'mongoose';

import { type Models } from '../../src/db/models';
import { CONSENT_FEED_ID } from '../../src/modules/preferences/consent-event.model';
import { ContactPurpose } from '../../src/modules/preferences/preference.enums';
import { generateDemoData, type DemoPreferenceChange } from '../../src/seed/demo-data';
import { loadDemoData, seedIfEmpty } from '../../src/seed/load';
import { customerToken, SET_PREFERENCES, VERIFY, wholeFeed } from '../preferences/operations';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

// The payload salt is a chain's one random input: fixed here, so that the seeded trail and the
// one written through the API can be compared hash for hash.
jest.mock('../../src/modules/preferences/lib/hash-chain', () => ({
  ...jest.requireActual<object>('../../src/modules/preferences/lib/hash-chain'),
  newSalt: () => '5a175a175a175a175a175a175a175a17',
}));

const TODAY = new Date('2026-11-20T00:00:00.000Z');

/** A demo change as the customer would send it to `setPreferences`. */
function inputOf(change: DemoPreferenceChange): Record<string, unknown> {
  const input: Record<string, unknown> = {
    brand: change.brand,
    source: change.source,
    evidence: change.evidence,
  };
  const push: { topic: string; enabled: boolean }[] = [];
  for (const { subject, granted } of change.requested) {
    if (subject.kind === 'channel') input[subject.channel.toLowerCase()] = granted;
    else if (subject.kind === 'push') push.push({ topic: subject.topic, enabled: granted });
    else if (subject.purpose === ContactPurpose.THIRD_PARTY_OFFERS)
      input.thirdPartyOffers = granted;
    else input.quoteFollowUp = granted;
  }
  if (push.length > 0) input.push = push;
  return input;
}

/** Stored documents as canonical Extended JSON: key order and BSON types count. */
async function stored(test: TestGateway, collection: string, sort: Document): Promise<Document[]> {
  return test.gateway.connection.collection(collection).find().sort(sort).toArray();
}
const canonical = (documents: Document[]) =>
  documents.map((document) => BSON.EJSON.stringify(document, { relaxed: false }));

/**
 * The consent collections with each generated id replaced by the feed position of its event,
 * so that two databases written at different moments can be compared document for document.
 */
async function consentDocuments(test: TestGateway) {
  const events = await stored(test, 'consentEvents', { position: 1 });
  const place = new Map(events.map((event) => [String(event._id), `event@${event.position}`]));
  const payloads = await stored(test, 'consentPayloads', { _id: 1 });
  const preferences = await stored(test, 'brandPreferences', { customerId: 1, brand: 1 });
  return {
    events: canonical(events.map((event) => ({ ...event, _id: place.get(String(event._id)) }))),
    payloads: canonical(
      payloads.map((payload) => ({ ...payload, _id: place.get(String(payload._id)) })),
    ),
    preferences: canonical(preferences.map((preference) => ({ ...preference, _id: 'generated' }))),
    feedCounter: await test.gateway.models.FeedCounter.findById(CONSENT_FEED_ID).lean(),
  };
}

/** The demo customers, accounts and quotes through mongoose's validated insert. */
async function insertValidated(models: Models): Promise<DemoPreferenceChange[]> {
  const data = generateDemoData({ today: TODAY });
  await models.Customer.insertMany(data.customers);
  await models.BrandAccount.insertMany(data.accounts);
  await models.Quote.insertMany(data.quotes);
  return data.preferences;
}

describe('the demo data', () => {
  let seeded: TestGateway;
  let throughApi: TestGateway;
  let staff: string;

  beforeAll(async () => {
    [seeded, throughApi] = await Promise.all([
      startTestGateway('demo_seeded'),
      startTestGateway('demo_api'),
    ]);
    staff = await staffToken();
    await loadDemoData(seeded.gateway.connection, seeded.gateway.models, { today: TODAY });
    // The same data set, each preference change sent by its customer through the API.
    throughApi.clock.set(TODAY);
    for (const change of await insertValidated(throughApi.gateway.models)) {
      const token = await customerToken(change.customerId.toHexString());
      await throughApi.client.data(SET_PREFERENCES, { input: inputOf(change) }, { token });
    }
  }, 120_000);
  afterAll(() => Promise.all([seeded.stop(), throughApi.stop()]));

  it('stores customers, accounts and quotes exactly as a validated insert does', async () => {
    for (const collection of ['customers', 'brandAccounts', 'quotes']) {
      const expected = canonical(await stored(throughApi, collection, { _id: 1 }));
      expect(expected.length).toBeGreaterThan(100);
      expect(canonical(await stored(seeded, collection, { _id: 1 }))).toEqual(expected);
    }
  });

  it('stores the preferences, events, payloads and feed counter the API writes', async () => {
    const expected = await consentDocuments(throughApi);
    expect(expected.events.length).toBeGreaterThan(100);
    expect(expected.payloads.length).toBeGreaterThan(0);
    expect(await consentDocuments(seeded)).toEqual(expected);
  });

  it("chains each customer's trail so that it verifies as one made through the API", async () => {
    const customers = await seeded.gateway.models.ConsentEvent.distinct('customerId');
    expect(customers.length).toBeGreaterThan(10);
    for (const id of customers as Types.ObjectId[]) {
      const verify = (test: TestGateway) =>
        test.client.data(VERIFY, { customerId: id.toHexString() }, { token: staff });
      const expected = await verify(throughApi);
      expect(expected.verifyConsentTrail).toMatchObject({ valid: true });
      expect(await verify(seeded)).toEqual(expected);
    }
  });

  it('feeds every event once, at consecutive positions, with the counter at the last', async () => {
    const events = await seeded.gateway.models.ConsentEvent.find()
      .sort({ position: 1 })
      .select({ position: 1 })
      .lean();
    expect(events.map((event) => event.position)).toEqual(events.map((_event, index) => index + 1));
    const feed = await wholeFeed(seeded.client);
    expect(feed.map((event) => event.id)).toEqual(events.map((event) => event._id.toHexString()));
    expect(new Set(feed.map((event) => event.id)).size).toBe(events.length);
    const counter = await seeded.gateway.models.FeedCounter.findById(CONSENT_FEED_ID).lean();
    expect(counter?.position).toBe(events.length);
  });

  it('is loaded only into a database without customers', async () => {
    const result = await seedIfEmpty(seeded.gateway.connection, seeded.gateway.models, {
      today: TODAY,
    });
    expect(result.seeded).toBe(false);
    expect(await seeded.gateway.models.Customer.countDocuments()).toBe(300);
  });
});
