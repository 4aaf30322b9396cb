import { Brand } from '../../src/modules/customers/brand';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { accountInput, seed, UPSERT_BRAND_ACCOUNT, type BuiltCustomer } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';

const PROFILE = /* GraphQL */ `
  query ($id: ID!) {
    customer(id: $id) {
      id
      name {
        firstName
        lastName
      }
      postalAddress {
        line1
        postcode
      }
      brandAccounts {
        brand
        accountId
      }
      quotes {
        totalCount
      }
    }
  }
`;

const MATCHES = /* GraphQL */ `
  query ($first: Int!, $after: String) {
    possibleMatches(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          brand
          accountId
          customerId
          candidateId
          status
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const LINK = /* GraphQL */ `
  mutation ($brand: Brand!, $accountId: String!, $customerId: ID!) {
    linkAccounts(accountBrand: $brand, accountId: $accountId, customerId: $customerId) {
      id
    }
  }
`;

const DISMISS = /* GraphQL */ `
  mutation ($id: ID!) {
    dismissPossibleMatch(id: $id) {
      id
      status
      resolvedBy
      resolvedAt
    }
  }
`;

/** A stranger's details, reported with the victim's email by a brand that did not confirm it. */
const STRANGER = {
  name: { firstName: 'Mallory', lastName: 'Moved' },
  postalAddress: { line1: '9 Elsewhere Road', town: 'Leeds', postcode: 'LS1 1AA' },
};

describe('linking cannot be a way in', () => {
  let test: TestGateway;
  let staff: string;
  let johnLewis: string;

  beforeAll(async () => {
    test = await startTestGateway('possible-matches');
    staff = await staffToken();
    johnLewis = await brandToken(Brand.JOHN_LEWIS);
  });
  afterAll(() => test.stop());

  /** The person whose email is reused: a Waitrose customer with a policy from the insurer. */
  const victim = () =>
    seed(test.client)
      .customer()
      .withWaitroseAccount()
      .withQuote(QuoteProduct.HOME, QuoteStatus.PURCHASED)
      .create();

  const profileAsStaff = async (id: string) =>
    (await test.client.data(PROFILE, { id }, { token: staff })).customer;

  const reportUnconfirmed = async (target: BuiltCustomer) => {
    const input = accountInput({
      brand: 'JOHN_LEWIS',
      email: target.email.toUpperCase(),
      emailVerified: false,
      ...STRANGER,
    });
    const reported = await test.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token: johnLewis });
    return { input, customerId: reported.upsertBrandAccount.id as string };
  };

  const openMatchesFor = async (accountId: string) => {
    const matches: { node: Record<string, string> }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await test.client.data(MATCHES, { first: 2, after }, { token: staff }))
        .possibleMatches;
      matches.push(...page.edges);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return matches.map((edge) => edge.node).filter((node) => node.accountId === accountId);
  };

  it('keeps an account with an unconfirmed email apart and offers the match to staff', async () => {
    const target = await victim();
    const before = await profileAsStaff(target.id);
    const { input, customerId } = await reportUnconfirmed(target);

    expect(customerId).not.toBe(target.id);
    // The victim's profile is untouched, and the new account cannot reach it.
    expect(await profileAsStaff(target.id)).toEqual(before);
    await test.client.error(
      PROFILE,
      { id: target.id },
      { token: johnLewis },
      { code: 'FORBIDDEN' },
    );
    expect(await openMatchesFor(String(input.accountId))).toEqual([
      expect.objectContaining({
        brand: 'JOHN_LEWIS',
        customerId,
        candidateId: target.id,
        status: 'OPEN',
      }),
    ]);
  });

  it('links a confirmed email without changing the customer it joins', async () => {
    const target = await victim();
    const before = await profileAsStaff(target.id);
    const input = accountInput({ brand: 'JOHN_LEWIS', email: target.email, ...STRANGER });
    const linked = await test.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token: johnLewis });

    expect(linked.upsertBrandAccount.id).toBe(target.id);
    const after = await profileAsStaff(target.id);
    expect({ name: after.name, postalAddress: after.postalAddress }).toEqual({
      name: before.name,
      postalAddress: before.postalAddress,
    });

    // The same account's later change of name is a change the person made: it is followed.
    await test.client.data(
      UPSERT_BRAND_ACCOUNT,
      { input: { ...input, name: { firstName: 'Mallory', lastName: 'Renamed' } } },
      { token: johnLewis },
    );
    expect((await profileAsStaff(target.id)).name).toEqual({
      firstName: 'Mallory',
      lastName: 'Renamed',
    });
  });

  it('lets staff link the account, after which the brand sees exactly its own part', async () => {
    const target = await victim();
    const { input, customerId } = await reportUnconfirmed(target);
    const [match] = await openMatchesFor(String(input.accountId));

    const linked = await test.client.data(
      LINK,
      { brand: 'JOHN_LEWIS', accountId: input.accountId, customerId: target.id },
      { token: staff },
    );
    expect(linked.linkAccounts.id).toBe(target.id);

    const seenByJohnLewis = (
      await test.client.request(PROFILE, { id: target.id }, { token: johnLewis })
    ).body;
    expect(seenByJohnLewis.data?.customer).toEqual({
      id: target.id,
      name: (await profileAsStaff(target.id)).name,
      postalAddress: (await profileAsStaff(target.id)).postalAddress,
      brandAccounts: [{ brand: 'JOHN_LEWIS', accountId: input.accountId }],
      quotes: null,
    });
    expect((await openMatchesFor(String(input.accountId))).length).toBe(0);
    const resolved = await test.gateway.models.PossibleMatch.findById(match.id).lean();
    expect(resolved).toMatchObject({ status: 'LINKED', resolvedBy: 'test-staff' });
    // The customer made for the account no longer holds anything and says where it went.
    const orphan = await test.gateway.models.Customer.findById(customerId).lean();
    expect(orphan?.mergedInto?.toHexString()).toBe(target.id);

    await test.client.error(
      DISMISS,
      { id: match.id },
      { token: staff },
      { code: 'CONFLICT', field: 'id' },
    );
  });

  it('lets staff dismiss a match, once, recording who', async () => {
    const target = await victim();
    const { input, customerId } = await reportUnconfirmed(target);
    const [match] = await openMatchesFor(String(input.accountId));

    const first = (await test.client.data(DISMISS, { id: match.id }, { token: staff }))
      .dismissPossibleMatch;
    expect(first).toMatchObject({ id: match.id, status: 'DISMISSED', resolvedBy: 'test-staff' });
    const again = (await test.client.data(DISMISS, { id: match.id }, { token: staff }))
      .dismissPossibleMatch;
    expect(again).toEqual(first);
    // Dismissed means two people: the account stays with its own customer.
    const account = await test.gateway.models.BrandAccount.findOne({
      accountId: input.accountId,
    }).lean();
    expect(account?.customerId.toHexString()).toBe(customerId);
    await test.client.error(
      DISMISS,
      { id: '0123456789abcdef01234567' },
      { token: staff },
      { code: 'NOT_FOUND', field: 'id' },
    );
  });

  it('answers NOT_FOUND for an unknown account or customer and changes nothing', async () => {
    const target = await victim();
    await test.client.error(
      LINK,
      { brand: 'JOHN_LEWIS', accountId: 'no-such-account', customerId: target.id },
      { token: staff },
      { code: 'NOT_FOUND', field: 'accountId' },
    );
    const waitroseAccount = target.accounts[0].accountId;
    await test.client.error(
      LINK,
      { brand: 'WAITROSE', accountId: waitroseAccount, customerId: '0123456789abcdef01234567' },
      { token: staff },
      { code: 'NOT_FOUND', field: 'customerId' },
    );
    const account = await test.gateway.models.BrandAccount.findOne({
      accountId: waitroseAccount,
    }).lean();
    expect(account?.customerId.toHexString()).toBe(target.id);
  });
});
