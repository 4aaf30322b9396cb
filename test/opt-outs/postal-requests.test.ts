import { Brand } from '../../src/modules/customers/brand';
import {
  contactAllowed,
  customerToken,
  marketingToken,
  subscribedCustomer,
  VERIFY,
} from '../preferences/operations';
import { accountInput, unique, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';

const RECORD = /* GraphQL */ `
  mutation Record($input: PostalRequestInput!) {
    recordPostalRequest(input: $input) {
      status
      request {
        id
        letterReference
        status
        candidateIds
        customerId
        recordedBy
        resolvedBy
      }
      changes {
        brand
        channel
        purpose
        granted
        source
        evidence
      }
    }
  }
`;

const QUEUE = /* GraphQL */ `
  query Queue($status: PostalRequestStatus, $first: Int, $after: String) {
    postalRequests(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          letterReference
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

const RESOLVE = /* GraphQL */ `
  mutation Resolve($id: ID!, $customerId: ID!) {
    resolvePostalRequest(id: $id, customerId: $customerId) {
      status
      request {
        status
        customerId
        resolvedBy
      }
      changes {
        brand
        channel
        granted
        source
      }
    }
  }
`;

const DISMISS = /* GraphQL */ `
  mutation Dismiss($id: ID!, $reason: String!) {
    dismissPostalRequest(id: $id, reason: $reason) {
      status
      request {
        status
        dismissReason
        resolvedBy
      }
    }
  }
`;

const TODAY = '2026-11-20T09:00:00.000Z';

describe('letters by post', () => {
  let test: TestGateway;
  let staff: string;
  let marketing: string;

  beforeAll(async () => {
    test = await startTestGateway('postal-requests');
    staff = await staffToken();
    marketing = await marketingToken();
  });
  beforeEach(() => test.clock.set(TODAY));
  afterAll(() => test.stop());

  const letter = (email: string, overrides: Record<string, unknown> = {}) => ({
    name: { firstName: 'Ada', lastName: 'Lovelace' },
    email,
    postalAddress: { line1: '1 High Street', town: 'London', postcode: 'sw1a1aa' },
    updates: [
      { brand: 'WAITROSE', email: false, post: false },
      { brand: 'JOHN_LEWIS', post: false },
    ],
    letterReference: unique('GCI'),
    receivedAt: '2026-11-18T00:00:00.000Z',
    ...overrides,
  });

  const record = async (input: Record<string, unknown>) =>
    (await test.client.data(RECORD, { input }, { token: staff })).recordPostalRequest;

  const allowed = (customerId: string, brand: string, channel: string) =>
    contactAllowed(test.client, { customerId, brand, channel });

  const eventCount = (customerId: string) =>
    test.gateway.models.ConsentEvent.countDocuments({ customerId });

  it('applies a letter whose email and postcode name one customer, the day it is keyed in', async () => {
    const customer = await subscribedCustomer(test.client);
    const input = letter(` ${customer.email.toUpperCase()} `);
    const result = await record(input);

    expect(result.status).toBe('APPLIED');
    expect(result.request).toMatchObject({
      status: 'APPLIED',
      customerId: customer.id,
      recordedBy: 'test-staff',
    });
    expect(result.changes).toEqual([
      expect.objectContaining({
        brand: 'WAITROSE',
        channel: 'EMAIL',
        granted: false,
        source: 'POST',
      }),
      expect.objectContaining({
        brand: 'WAITROSE',
        channel: 'POST',
        granted: false,
        source: 'POST',
      }),
      expect.objectContaining({
        brand: 'JOHN_LEWIS',
        channel: 'POST',
        granted: false,
        source: 'POST',
      }),
    ]);
    expect(result.changes[0].evidence).toBe(`letter ${input.letterReference}, received 2026-11-18`);
    expect(await allowed(customer.id, 'WAITROSE', 'EMAIL')).toBe(false);
    expect(await allowed(customer.id, 'JOHN_LEWIS', 'POST')).toBe(false);
    // What the letter did not mention is as it was.
    expect(await allowed(customer.id, 'JOHN_LEWIS', 'EMAIL')).toBe(true);
    const trail = await test.client.data(VERIFY, { customerId: customer.id }, { token: staff });
    expect(trail.verifyConsentTrail).toMatchObject({ valid: true, firstBrokenEventId: null });
  });

  it('treats the same letter keyed in twice as one request', async () => {
    const customer = await subscribedCustomer(test.client);
    const input = letter(customer.email);
    const first = await record(input);
    const before = await eventCount(customer.id);
    const again = await record({ ...input, letterReference: ` ${input.letterReference} ` });
    expect(again.request.id).toBe(first.request.id);
    expect(again.changes).toEqual([]);
    expect(await eventCount(customer.id)).toBe(before);
  });

  it('keeps a letter whose postcode does not match for review, changing nothing', async () => {
    const customer = await subscribedCustomer(test.client);
    const before = await eventCount(customer.id);
    const result = await record(
      letter(customer.email, {
        postalAddress: { line1: '9 Other Road', town: 'Leeds', postcode: 'LS1 1AA' },
      }),
    );
    expect(result).toMatchObject({ status: 'NEEDS_REVIEW', changes: [] });
    expect(result.request.candidateIds).toEqual([customer.id]);
    expect(await eventCount(customer.id)).toBe(before);
    expect(await allowed(customer.id, 'WAITROSE', 'EMAIL')).toBe(true);
  });

  it('keeps a letter that could be from several customers for review', async () => {
    const customer = await subscribedCustomer(test.client);
    // Someone else at the same address reported with the same, unconfirmed, email.
    const input = accountInput({
      brand: 'JOHN_LEWIS',
      email: customer.email,
      emailVerified: false,
    });
    const other = (
      await test.client.data(
        UPSERT_BRAND_ACCOUNT,
        { input },
        { token: await brandToken(Brand.JOHN_LEWIS) },
      )
    ).upsertBrandAccount.id as string;
    const result = await record(letter(customer.email));
    expect(result.status).toBe('NEEDS_REVIEW');
    expect([...result.request.candidateIds].sort()).toEqual([customer.id, other].sort());
  });

  it('keeps a letter that matches no one, changing nothing', async () => {
    const result = await record(letter(`${unique('nobody')}@example.com`));
    expect(result).toMatchObject({
      status: 'NO_MATCH',
      changes: [],
      request: { candidateIds: [] },
    });
  });

  it('lets staff work the review queue: list oldest first, apply, dismiss', async () => {
    const customer = await subscribedCustomer(test.client);
    const elsewhere = { postalAddress: { line1: '2 Low Road', town: 'York', postcode: 'YO1 7HH' } };
    const toApply = (await record(letter(customer.email, elsewhere))).request;
    const toDismiss = (await record(letter(`${unique('nobody')}@example.com`))).request;

    const queued: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await test.client.data(QUEUE, { first: 2, after }, { token: staff }))
        .postalRequests;
      for (const edge of page.edges) queued.push(edge.node.id);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(queued.indexOf(toApply.id)).toBeGreaterThanOrEqual(0);
    expect(queued.indexOf(toApply.id)).toBeLessThan(queued.indexOf(toDismiss.id));

    const resolved = (
      await test.client.data(RESOLVE, { id: toApply.id, customerId: customer.id }, { token: staff })
    ).resolvePostalRequest;
    expect(resolved).toMatchObject({
      status: 'APPLIED',
      request: { status: 'APPLIED', customerId: customer.id, resolvedBy: 'test-staff' },
    });
    expect(resolved.changes).toHaveLength(3);
    expect(await allowed(customer.id, 'WAITROSE', 'EMAIL')).toBe(false);
    await test.client.error(
      RESOLVE,
      { id: toApply.id, customerId: customer.id },
      { token: staff },
      {
        code: 'CONFLICT',
        field: 'id',
      },
    );

    const dismissed = (
      await test.client.data(
        DISMISS,
        { id: toDismiss.id, reason: 'Not one of ours' },
        { token: staff },
      )
    ).dismissPostalRequest;
    expect(dismissed).toMatchObject({
      status: 'DISMISSED',
      request: { status: 'DISMISSED', dismissReason: 'Not one of ours', resolvedBy: 'test-staff' },
    });
    const again = await test.client.data(
      DISMISS,
      { id: toDismiss.id, reason: 'Again' },
      { token: staff },
    );
    expect(again.dismissPostalRequest.request.dismissReason).toBe('Not one of ours');
    await test.client.error(
      DISMISS,
      { id: toApply.id, reason: 'Too late' },
      { token: staff },
      {
        code: 'CONFLICT',
        field: 'id',
      },
    );

    const remaining = (
      await test.client.data(QUEUE, { first: 100 }, { token: staff })
    ).postalRequests.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(remaining).not.toContain(toApply.id);
    expect(remaining).not.toContain(toDismiss.id);
    const applied = (
      await test.client.data(QUEUE, { status: 'APPLIED', first: 100 }, { token: staff })
    ).postalRequests;
    expect(applied.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(
      toApply.id,
    );
  });

  it('answers NOT_FOUND for an unknown request or customer', async () => {
    const kept = (await record(letter(`${unique('nobody')}@example.com`))).request;
    await test.client.error(
      RESOLVE,
      { id: '0123456789abcdef01234567', customerId: kept.id },
      { token: staff },
      {
        code: 'NOT_FOUND',
        field: 'id',
      },
    );
    await test.client.error(
      RESOLVE,
      { id: kept.id, customerId: '0123456789abcdef01234567' },
      { token: staff },
      {
        code: 'NOT_FOUND',
        field: 'customerId',
      },
    );
  });

  it('refuses a letter that asks nothing, names a brand twice or arrives from the future', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ updates: [] }, 'input.updates'],
      [{ updates: [{ brand: 'WAITROSE' }] }, 'input.updates.0'],
      [
        {
          updates: [
            { brand: 'WAITROSE', sms: false },
            { brand: 'WAITROSE', post: false },
          ],
        },
        'input.updates',
      ],
      [{ receivedAt: '2026-12-01T00:00:00.000Z' }, 'input.receivedAt'],
      [{ letterReference: '  ' }, 'input.letterReference'],
    ];
    for (const [change, field] of cases) {
      const input = letter(`${unique('nobody')}@example.com`, change);
      await test.client.error(
        RECORD,
        { input },
        { token: staff },
        { code: 'BAD_USER_INPUT', field },
      );
    }
  });

  it('is staff work only: everyone else is refused and nothing is written', async () => {
    const customer = await subscribedCustomer(test.client);
    const callers: [string, string | undefined, string][] = [
      ['customer', await customerToken(customer.id), 'FORBIDDEN'],
      ['brand', await brandToken(Brand.WAITROSE), 'FORBIDDEN'],
      ['marketing', marketing, 'FORBIDDEN'],
      ['anonymous', undefined, 'UNAUTHENTICATED'],
    ];
    const kept = (await record(letter(`${unique('nobody')}@example.com`))).request;
    const before = await eventCount(customer.id);
    for (const [_who, token, code] of callers) {
      const input = letter(customer.email);
      await test.client.error(RECORD, { input }, { token }, { code });
      expect(
        await test.gateway.models.PostalRequest.countDocuments({
          letterReference: input.letterReference,
        }),
      ).toBe(0);
      await test.client.error(QUEUE, {}, { token }, { code });
      await test.client.error(
        RESOLVE,
        { id: kept.id, customerId: customer.id },
        { token },
        { code },
      );
      await test.client.error(DISMISS, { id: kept.id, reason: 'no' }, { token }, { code });
    }
    expect(await eventCount(customer.id)).toBe(before);
    const still = await test.gateway.models.PostalRequest.findById(kept.id).lean();
    expect(still?.status).toBe('NO_MATCH');
  });
});
