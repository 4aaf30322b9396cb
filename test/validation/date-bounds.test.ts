import {
  accountInput,
  quoteInput,
  RECORD_QUOTE,
  seed,
  UPSERT_BRAND_ACCOUNT,
} from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { insurerToken, reporterToken } from '../support/tokens';

const membership = (since: string) =>
  accountInput({ brand: 'WAITROSE', membership: { scheme: 'MY_WAITROSE', number: 'MW1', since } });

/** A quote made at `createdAt`, valid for a day. */
const quoteAt = (customerId: string, createdAt: string) =>
  quoteInput(customerId, {
    createdAt,
    validUntil: new Date(new Date(createdAt).getTime() + 86_400_000).toISOString(),
  });

describe.each([
  {
    bounds: 'the defaults',
    env: {},
    membershipFrom: ['1899-12-31', '1900-01-01'],
    quoteFrom: ['1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z'],
  },
  {
    // A summer bound: the UK day 2010-06-01 begins at 23:00 UTC on 31 May.
    bounds: 'configured bounds',
    env: { EARLIEST_MEMBERSHIP_SINCE: '1950-06-01', EARLIEST_QUOTE_DATE: '2010-06-01' },
    membershipFrom: ['1950-05-31', '1950-06-01'],
    quoteFrom: ['2010-05-31T22:59:59.999Z', '2010-05-31T23:00:00.000Z'],
  },
])('dates with sane bounds: $bounds', ({ env, membershipFrom, quoteFrom }) => {
  let test: TestGateway;
  let customerId: string;

  beforeAll(async () => {
    test = await startTestGateway('date_bounds', { env });
    test.clock.set('2025-06-15T12:00:00Z');
    customerId = (await seed(test.client).customer().create()).id;
  });
  afterAll(() => test.stop());

  it('refuses a membership that began before the earliest date, naming the field', async () => {
    const [tooEarly, earliest] = membershipFrom;
    const token = await reporterToken(membership(earliest));
    for (const since of ['0000-01-01', tooEarly]) {
      const error = await test.client.error(
        UPSERT_BRAND_ACCOUNT,
        { input: membership(since) },
        { token },
        { code: 'BAD_USER_INPUT', field: 'input.membership.since' },
      );
      expect(error.message).toBe(`input.membership.since: must not be before ${earliest}`);
    }
    const data = await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input: membership(earliest) },
      { token },
    );
    expect(data.upsertBrandAccount.brandAccounts[0].membership.since).toBe(earliest);
  });

  it('refuses a quote made before the earliest UK day, naming the field', async () => {
    const [tooEarly, earliest] = quoteFrom;
    const token = await insurerToken();
    for (const createdAt of ['0001-01-01T00:00:00.000Z', tooEarly]) {
      await test.client.error(
        RECORD_QUOTE,
        { input: quoteAt(customerId, createdAt) },
        { token },
        { code: 'BAD_USER_INPUT', field: 'input.createdAt' },
      );
    }
    const data = await test.client.data(
      RECORD_QUOTE,
      { input: quoteAt(customerId, earliest) },
      { token },
    );
    expect(data.recordQuote.createdAt).toBe(earliest);
  });
});
