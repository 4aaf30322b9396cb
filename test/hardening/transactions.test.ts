import { type CommandStartedEvent, type Document, MongoClient } from 'mongodb';

import { Brand } from '../../src/modules/customers/brand';
import { normalizeEmail } from '../../src/modules/customers/lib/email';
import { CONSENT_FEED_ID } from '../../src/modules/preferences/consent-event.model';
import {
  customerToken,
  grantAsCustomer,
  subscribedCustomer,
  marketingToken,
  SET_PREFERENCES,
  VERIFY,
} from '../preferences/operations';
import {
  accountInput,
  seed,
  unique,
  uniqueEmail,
  UPSERT_BRAND_ACCOUNT,
  type AccountInputVariables,
} from '../support/builders';
import { testDatabaseUri } from '../support/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';
import { UNSUBSCRIBE, UNSUBSCRIBE_LINK } from '../opt-outs/operations';

// Every mutation that runs a transaction, with its commit failed on the database by MongoDB's
// failCommand fail point: a mutation that answers did exactly what one run does, and one that
// cannot commit answers SERVICE_UNAVAILABLE in bounded time, leaving nothing behind.

const LINK = /* GraphQL */ `
  mutation Link($brand: Brand!, $accountId: String!, $customerId: ID!) {
    linkAccounts(accountBrand: $brand, accountId: $accountId, customerId: $customerId) {
      id
    }
  }
`;

const RECORD_LETTER = /* GraphQL */ `
  mutation Record($input: PostalRequestInput!) {
    recordPostalRequest(input: $input) {
      status
      request {
        id
      }
      changes {
        id
      }
    }
  }
`;

const RESOLVE_LETTER = /* GraphQL */ `
  mutation Resolve($id: ID!, $customerId: ID!) {
    resolvePostalRequest(id: $id, customerId: $customerId) {
      status
      changes {
        id
      }
    }
  }
`;

/** MONGODB_TIMEOUT_MS of the gateway whose commits never succeed: it bounds the answer. */
const SHORT_TIMEOUT_MS = 1000;

/**
 * The shared test database's URI with `appName` set. Fail points are server-wide and other test
 * files use the same server at the same time: ours name this appName, so they hit no one else.
 */
function uriFor(appName: string): string {
  const uri = testDatabaseUri();
  return `${uri}${uri.includes('?') ? '&' : '?'}appName=${encodeURIComponent(appName)}`;
}

let admin: MongoClient;

beforeAll(async () => {
  admin = await new MongoClient(testDatabaseUri()).connect();
});

afterEach(async () => {
  await admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
});

afterAll(async () => {
  await admin?.close();
});

/** Fails the commits of the client named `appName`, as `mode` and `data` say. */
async function failCommits(appName: string, mode: unknown, data: Document): Promise<void> {
  await admin.db('admin').command({
    configureFailPoint: 'failCommand',
    mode,
    data: { failCommands: ['commitTransaction'], appName, ...data },
  });
}

const DOUBLE_RUNS = [
  {
    fault: 'a commit refused with WriteConflict (TransientTransactionError)',
    mode: { times: 1 },
    data: { errorCode: 112, errorLabels: ['TransientTransactionError'] },
    // The whole body runs again, and commits the second time.
    runs: 2,
    commits: 2,
  },
  {
    fault: 'a commit whose connection closed twice (UnknownTransactionCommitResult)',
    // The driver sends a failed commit once more itself; the second close reaches the runner.
    mode: { times: 2 },
    data: { closeConnection: true },
    // The outcome is unknown: the commit alone is sent again; the body ran once.
    runs: 1,
    commits: 3,
  },
];

describe.each(DOUBLE_RUNS)('after $fault', ({ mode, data, runs, commits }) => {
  const appName = unique('transactions');
  let test: TestGateway;
  let staff: string;
  const sent: CommandStartedEvent[] = [];

  beforeAll(async () => {
    test = await startTestGateway('transactions', {
      env: { MONGODB_URI: uriFor(appName) },
      monitorCommands: true,
    });
    test.gateway.connection.getClient().on('commandStarted', (event) => sent.push(event));
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  /**
   * Runs `mutation` with the fault on its commit, and checks the transaction ran and committed
   * as the fault says it must (so the test proves what it claims: the body did run twice).
   */
  async function underFault<T>(mutation: () => Promise<T>): Promise<T> {
    await failCommits(appName, mode, data);
    sent.length = 0;
    const result = await mutation();
    const started = sent.filter((event) => event.command.startTransaction === true).length;
    const committed = sent.filter((event) => event.commandName === 'commitTransaction').length;
    expect({ runs: started, commits: committed }).toEqual({ runs, commits });
    return result;
  }

  const feedPosition = async () =>
    (await test.gateway.models.FeedCounter.findById(CONSENT_FEED_ID).lean())?.position ?? 0;

  /** What the consent trail and the feed hold now, to compare after a mutation. */
  const consentCounts = async (customerId: string) => ({
    events: await test.gateway.models.ConsentEvent.countDocuments({ customerId }),
    feed: await feedPosition(),
  });

  /**
   * The mutation added exactly `added` events for the customer, their chain verifies, and the
   * feed moved once per event: every position handed out belongs to one stored event.
   */
  async function expectEventsAdded(
    customerId: string,
    before: { events: number; feed: number },
    added: number,
  ): Promise<void> {
    expect(await consentCounts(customerId)).toEqual({
      events: before.events + added,
      feed: before.feed + added,
    });
    const verified = await test.client.data(VERIFY, { customerId }, { token: staff });
    expect(verified.verifyConsentTrail).toMatchObject({
      valid: true,
      events: before.events + added,
    });
    const positions = (
      await test.gateway.models.ConsentEvent.find({}, { position: 1 }).sort({ position: 1 }).lean()
    ).map((event) => event.position);
    expect(positions).toEqual(positions.map((_position, index) => index + 1));
    expect(positions).toHaveLength(before.feed + added);
  }

  /** A letter's answer and what is stored: one request, applied, with its three changes. */
  async function expectLetterAppliedOnce(
    answer: { status: string; changes: unknown[] },
    letterReference: string,
    customerId: string,
    before: { events: number; feed: number },
  ): Promise<void> {
    expect(answer.status).toBe('APPLIED');
    expect(answer.changes).toHaveLength(3);
    const stored = await test.gateway.models.PostalRequest.find({ letterReference }).lean();
    expect(stored.map((request) => request.status)).toEqual(['APPLIED']);
    await expectEventsAdded(customerId, before, 3);
  }

  /**
   * A customer with a confirmed email, and a Waitrose account reported with the same email
   * unconfirmed: kept apart as a customer of its own, with a possible match for staff.
   */
  async function reportUnconfirmedDouble(
    report: (input: AccountInputVariables) => Promise<string>,
  ) {
    const email = uniqueEmail();
    const existing = await seed(test.client).customer(email).withJohnLewisAccount().create();
    const input = accountInput({ brand: Brand.WAITROSE, email, emailVerified: false });
    const created = await report(input);
    return { existing, input, created };
  }

  const upsert = async (input: AccountInputVariables) =>
    (
      await test.client.data(
        UPSERT_BRAND_ACCOUNT,
        { input },
        { token: await brandToken(Brand.WAITROSE) },
      )
    ).upsertBrandAccount.id as string;

  it('upsertBrandAccount: one new customer, one account, one possible match', async () => {
    const { existing, input, created } = await reportUnconfirmedDouble((report) =>
      underFault(() => upsert(report)),
    );
    const { BrandAccount, Customer, PossibleMatch } = test.gateway.models;
    expect(created).not.toBe(existing.id);
    expect(await Customer.countDocuments({ emailNormalized: normalizeEmail(existing.email) })).toBe(
      2,
    );
    const accounts = await BrandAccount.find({ accountId: input.accountId }).lean();
    expect(accounts.map((account) => account.customerId.toHexString())).toEqual([created]);
    const matches = await PossibleMatch.find({ accountId: input.accountId }).lean();
    expect(matches.map((match) => match.candidateId.toHexString())).toEqual([existing.id]);
  });

  it('linkAccounts: the account moves once, its match closes, the emptied customer points on', async () => {
    const { existing, input, created } = await reportUnconfirmedDouble(upsert);
    const data = await underFault(() =>
      test.client.data(
        LINK,
        { brand: Brand.WAITROSE, accountId: input.accountId, customerId: existing.id },
        { token: staff },
      ),
    );
    expect(data.linkAccounts.id).toBe(existing.id);
    const { BrandAccount, Customer, PossibleMatch } = test.gateway.models;
    const accounts = await BrandAccount.find({ accountId: input.accountId }).lean();
    expect(accounts.map((account) => account.customerId.toHexString())).toEqual([existing.id]);
    const matches = await PossibleMatch.find({ accountId: input.accountId }).lean();
    expect(matches.map((match) => match.status)).toEqual(['LINKED']);
    const emptied = await Customer.findById(created).lean();
    expect(emptied?.mergedInto?.toHexString()).toBe(existing.id);
  });

  it('setPreferences: one event per change, a chain that verifies, the feed moved once per event, the key kept once', async () => {
    const { id } = await seed(test.client).customer().withWaitroseAccount().create();
    const token = await customerToken(id);
    const input = {
      brand: 'WAITROSE',
      email: true,
      sms: true,
      post: true,
      source: 'WEB',
      idempotencyKey: unique('key'),
    };
    const before = await consentCounts(id);
    const data = await underFault(() => test.client.data(SET_PREFERENCES, { input }, { token }));
    expect(data.setPreferences.changes).toHaveLength(3);
    await expectEventsAdded(id, before, 3);
    expect(await test.gateway.models.IdempotencyKey.countDocuments({ customerId: id })).toBe(1);

    // Sent again with the same key: the same events come back and nothing more is written.
    const again = await test.client.data(SET_PREFERENCES, { input }, { token });
    const ids = (payload: { changes: { id: string }[] }) =>
      payload.changes.map((event) => event.id);
    expect(ids(again.setPreferences)).toEqual(ids(data.setPreferences));
    await expectEventsAdded(id, before, 3);
  });

  /** A letter from `email` at `postcode` withdrawing email and post at Waitrose, post at John Lewis. */
  const letter = (email: string, postcode: string) => ({
    name: { firstName: 'Ada', lastName: 'Lovelace' },
    email,
    postalAddress: { line1: '1 High Street', town: 'London', postcode },
    updates: [
      { brand: 'WAITROSE', email: false, post: false },
      { brand: 'JOHN_LEWIS', post: false },
    ],
    letterReference: unique('GCI'),
    receivedAt: new Date().toISOString(),
  });

  it('recordPostalRequest: the letter is stored once and applied once', async () => {
    const customer = await subscribedCustomer(test.client);
    const input = letter(customer.email, 'SW1A 1AA');
    const before = await consentCounts(customer.id);
    const data = await underFault(() =>
      test.client.data(RECORD_LETTER, { input }, { token: staff }),
    );
    await expectLetterAppliedOnce(
      data.recordPostalRequest,
      input.letterReference,
      customer.id,
      before,
    );
  });

  it('resolvePostalRequest: the kept letter is applied once', async () => {
    const customer = await subscribedCustomer(test.client);
    // Another postcode than the customer's: the letter waits for staff.
    const input = letter(customer.email, 'EC1A 1BB');
    const kept = await test.client.data(RECORD_LETTER, { input }, { token: staff });
    expect(kept.recordPostalRequest.status).toBe('NEEDS_REVIEW');
    const before = await consentCounts(customer.id);
    const data = await underFault(() =>
      test.client.data(
        RESOLVE_LETTER,
        { id: kept.recordPostalRequest.request.id, customerId: customer.id },
        { token: staff },
      ),
    );
    await expectLetterAppliedOnce(
      data.resolvePostalRequest,
      input.letterReference,
      customer.id,
      before,
    );
  });

  it('unsubscribe: the email is withdrawn once', async () => {
    const { id } = await seed(test.client).customer().withWaitroseAccount().create();
    await grantAsCustomer(test.client, id, ['WAITROSE'], { email: true });
    const link = await test.client.data(
      UNSUBSCRIBE_LINK,
      { customerId: id, brand: 'WAITROSE' },
      { token: await marketingToken() },
    );
    const token = new URL(link.unsubscribeLink).searchParams.get('token');
    const before = await consentCounts(id);
    const data = await underFault(() => test.client.data(UNSUBSCRIBE, { token }));
    expect(data.unsubscribe).toEqual({ brand: 'WAITROSE', changed: true });
    await expectEventsAdded(id, before, 1);
  });
});

describe('while every commit fails', () => {
  const appName = unique('transactions-bound');
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('transactions_bound', {
      env: { MONGODB_URI: uriFor(appName), MONGODB_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) },
    });
  });
  afterAll(() => test.stop());

  it.each([
    ['its connection closes (UnknownTransactionCommitResult)', { closeConnection: true }],
    [
      'it is refused with WriteConflict (TransientTransactionError)',
      { errorCode: 112, errorLabels: ['TransientTransactionError'] },
    ],
    [
      'it fails with an UnknownTransactionCommitResult label',
      { errorCode: 64, errorLabels: ['UnknownTransactionCommitResult'] },
    ],
  ])(
    'when %s, a mutation answers SERVICE_UNAVAILABLE within the database timeout and stores nothing',
    async (_fault, data) => {
      const input = accountInput({ brand: Brand.WAITROSE });
      const token = await brandToken(Brand.WAITROSE);
      await failCommits(appName, 'alwaysOn', data);
      const started = performance.now();
      await test.client.error(
        UPSERT_BRAND_ACCOUNT,
        { input },
        { token },
        { code: 'SERVICE_UNAVAILABLE' },
      );
      // Bounded by the configured timeout (generously: this machine is shared), never 120 s.
      expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS * 10);

      const { BrandAccount, Customer } = test.gateway.models;
      expect(await BrandAccount.countDocuments({ accountId: input.accountId })).toBe(0);
      expect(await Customer.countDocuments({ emailNormalized: normalizeEmail(input.email) })).toBe(
        0,
      );
    },
  );
});
