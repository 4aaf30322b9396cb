import { accountInput, seed, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { reporterToken, staffToken } from '../support/tokens';

const DISCOUNT_CODES = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      loyalty {
        eligibleDiscounts {
          code
        }
      }
    }
  }
`;

/**
 * Each season's midnight in London as UTC instants: in summer (BST) the UK day begins at 23:00
 * UTC the evening before, in winter (GMT) at 00:00 UTC.
 */
const SEASONS = [
  {
    season: 'summer (BST)',
    day: '2026-06-15',
    lastInstantBefore: '2026-06-14T22:59:59.999Z',
    firstInstant: '2026-06-14T23:00:00.000Z',
    halfPastMidnight: '2026-06-14T23:30:00.000Z',
  },
  {
    season: 'winter (GMT)',
    day: '2026-01-15',
    lastInstantBefore: '2026-01-14T23:59:59.999Z',
    firstInstant: '2026-01-15T00:00:00.000Z',
    halfPastMidnight: '2026-01-15T00:30:00.000Z',
  },
];

describe('calendar days are UK days', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('uk_calendar');
    staff = await staffToken();
  });
  afterEach(() => test.clock.reset());
  afterAll(() => test.stop());

  describe.each(SEASONS)(
    'in $season',
    ({ day, lastInstantBefore, firstInstant, halfPastMidnight }) => {
      const membership = (since: string) =>
        accountInput({
          brand: 'WAITROSE',
          membership: { scheme: 'MY_WAITROSE', number: 'MW-1', since },
        });

      it('accepts a membership that began today in London, from London midnight', async () => {
        for (const now of [firstInstant, halfPastMidnight]) {
          test.clock.set(now);
          const input = membership(day);
          const data = await test.client.data(
            UPSERT_BRAND_ACCOUNT,
            { input },
            { token: await reporterToken(input) },
          );
          expect(data.upsertBrandAccount.brandAccounts[0].membership.since).toBe(day);
        }
      });

      it('refuses it as in the future until London midnight', async () => {
        test.clock.set(lastInstantBefore);
        const input = membership(day);
        await test.client.error(
          UPSERT_BRAND_ACCOUNT,
          { input },
          { token: await reporterToken(input) },
          { code: 'BAD_USER_INPUT', field: 'input.membership.since' },
        );
      });

      it('counts a three-year anniversary from London midnight', async () => {
        const since = `${Number(day.slice(0, 4)) - 3}${day.slice(4)}`;
        test.clock.set(lastInstantBefore);
        const { id } = await seed(test.client)
          .customer()
          .withWaitroseAccount({ memberSince: since })
          .create();
        const codesAt = async (now: string) => {
          test.clock.set(now);
          const data = await test.client.data(DISCOUNT_CODES, { id }, { token: staff });
          return data.customer.loyalty.eligibleDiscounts.map(
            (discount: { code: string }) => discount.code,
          );
        };
        expect(await codesAt(lastInstantBefore)).not.toContain('LOYAL_MEMBER_CAR_5');
        expect(await codesAt(firstInstant)).toContain('LOYAL_MEMBER_CAR_5');
        expect(await codesAt(halfPastMidnight)).toContain('LOYAL_MEMBER_CAR_5');
      });
    },
  );
});
