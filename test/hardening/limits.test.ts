import { type Brand } from '../../src/modules/customers/brand';
import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken } from '../support/tokens';

const SOME_ID = '0123456789abcdef01234567';

/** The one error of a document refused for `limit`, measured above its maximum. */
async function refusedAs(
  test: TestGateway,
  token: string,
  query: string,
  limit: string,
  variables: Record<string, unknown> = {},
) {
  const error = await test.client.error(
    query,
    variables,
    { token },
    { code: 'QUERY_TOO_COMPLEX', status: 400 },
  );
  expect(error.extensions).toMatchObject({ limit });
  expect(Number(error.extensions?.measured)).toBeGreaterThan(Number(error.extensions?.max));
  return error;
}

describe('limits on what one request may cost', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('limits');
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  const tooComplex = (query: string, limit: string, variables = {}) =>
    refusedAs(test, staff, query, limit, variables);

  it('refuses a document deeper than 8', async () => {
    const deep = '{ a { b { c { d { e { f { g { h { i } } } } } } } } }';
    const response = await test.client.request(deep, {}, { token: staff });
    expect(response.status).toBe(400);
    // The fields do not exist either; the depth is measured on the document as written.
    expect(response.body.errors).toContainEqual(
      expect.objectContaining({
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 8, measured: 9 },
      }),
    );
  });

  it('refuses more than 15 aliases, and more than 20 root fields', async () => {
    const aliases = Array.from(
      { length: 16 },
      (_, i) => `c${i}: customer(id: "${SOME_ID}") { id }`,
    );
    const aliasError = await tooComplex(`{ ${aliases.join(' ')} }`, 'aliases');
    expect(aliasError.extensions).toMatchObject({ max: 15, measured: 16 });

    const roots = Array.from({ length: 21 }, () => `__typename`).join(' ');
    // The same root field 21 times is one field too many at the root, with no alias at all.
    const rootError = await tooComplex(`{ ${roots} }`, 'rootFields');
    expect(rootError.extensions).toMatchObject({ max: 20, measured: 21 });
  });

  it('refuses the same field more than 50 times in one selection', async () => {
    const ids = Array.from({ length: 51 }, () => 'id').join(' ');
    const error = await tooComplex(
      `query ($id: ID!) { customer(id: $id) { ${ids} } }`,
      'fieldRepeats',
      { id: SOME_ID },
    );
    expect(error.extensions).toMatchObject({ max: 50, measured: 51 });
  });

  it('refuses more than 20 directives', async () => {
    const ids = Array.from({ length: 21 }, () => 'id @include(if: true)').join(' ');
    const error = await tooComplex(
      `query ($id: ID!) { customer(id: $id) { ${ids} } }`,
      'directives',
      { id: SOME_ID },
    );
    expect(error.extensions).toMatchObject({ max: 20, measured: 21 });
  });

  it('refuses more than 2,000 tokens before parsing, even in a document that does not parse', async () => {
    const tokens = `{ ${'a '.repeat(2500)}`;
    const error = await tooComplex(tokens, 'tokens');
    expect(error.extensions).toMatchObject({ max: 2000, measured: 2501 });
  });

  it('refuses a computed cost over 5,000, where first and ids multiply what they select', async () => {
    const profile = 'id quotes(first: 100) { edges { node { id reference } } }';
    const ids = Array.from({ length: 100 }, () => SOME_ID);
    const error = await tooComplex(
      `query ($ids: [ID!]!) { customers(ids: $ids) { ${profile} } }`,
      'cost',
      { ids },
    );
    expect(error.extensions).toMatchObject({ max: 5000 });
    // The same selection for ten customers costs a tenth: it runs.
    expect(
      (
        await test.client.request(
          `query ($ids: [ID!]!) { customers(ids: $ids) { id quotes(first: 10) { edges { node { id } } } } }`,
          { ids: ids.slice(0, 10) },
          { token: staff },
        )
      ).body.errors,
    ).toBeUndefined();
  });

  it('measures one document again for every list size its variables give', async () => {
    const query = `query ($ids: [ID!]!, $first: Int!) {
      customers(ids: $ids) { id quotes(first: $first) { edges { node { id reference } } } }
    }`;
    const ids = Array.from({ length: 50 }, () => SOME_ID);
    const ask = (variables: Record<string, unknown>) =>
      test.client.request(query, variables, { token: staff });
    // Cheap, then the same document past the limit by its list length, then by its page size.
    expect((await ask({ ids: ids.slice(0, 5), first: 5 })).body.errors).toBeUndefined();
    const longer = await ask({ ids, first: 5 });
    expect((await ask({ ids: ids.slice(0, 5), first: 5 })).body.errors).toBeUndefined();
    expect(longer.body.errors).toBeUndefined();
    const deeper = await ask({ ids, first: 100 });
    expect(deeper.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'cost',
    });
    const other = await ask({ ids: ids.map(() => '0123456789abcdef0123456a'), first: 100 });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('refuses a mutation over a limit before anything is written', async () => {
    const input = accountInput();
    const ids = Array.from({ length: 51 }, () => 'id').join(' ');
    const query = UPSERT_BRAND_ACCOUNT.replace(/\{\s+id\b/, `{ ${ids}`);
    await test.client.error(
      query,
      { input },
      { token: await brandToken(input.brand as Brand) },
      { code: 'QUERY_TOO_COMPLEX', status: 400 },
    );
    expect(
      await test.gateway.models.BrandAccount.countDocuments({ accountId: input.accountId }),
    ).toBe(0);
  });

  it('keeps refusing batched requests and requests a browser could forge', async () => {
    const batched = await fetch(test.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(batched.status).toBe(400);
    const simple = await fetch(`${test.gateway.url}?query=%7B__typename%7D`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF|preflight/i);
  });
});

describe('the depth limit, counted through fragments', () => {
  let test: TestGateway;
  let staff: string;

  beforeAll(async () => {
    test = await startTestGateway('limits_depth', { env: { QUERY_MAX_DEPTH: '3' } });
    staff = await staffToken();
  });
  afterAll(() => test.stop());

  it('counts the fields of a fragment where it is spread, and nothing for the spread itself', async () => {
    const within = `query ($id: ID!) { customer(id: $id) { ...A } }
      fragment A on Customer { quotes { totalCount } }`;
    expect(await test.client.data(within, { id: SOME_ID }, { token: staff })).toEqual({
      customer: null,
    });
    const error = await refusedAs(
      test,
      staff,
      `query ($id: ID!) { customer(id: $id) { ... on Customer { ...A } } }
       fragment A on Customer { quotes { edges { cursor } } }`,
      'depth',
      { id: SOME_ID },
    );
    expect(error.extensions).toMatchObject({ max: 3, measured: 4 });
  });

  it('does not let a fragment or operation named like __schema or __type skip the count', async () => {
    const error = await refusedAs(
      test,
      staff,
      `query __type($id: ID!) { customer(id: $id) { ...__schema } }
       fragment __schema on Customer { quotes { edges { cursor } } }`,
      'depth',
      { id: SOME_ID },
    );
    expect(error.extensions).toMatchObject({ max: 3, measured: 4 });
  });
});

describe('limits in production', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('limits_prod', {
      env: { NODE_ENV: 'production', QUERY_MAX_ALIASES: '1' },
    });
  });
  afterAll(() => test.stop());

  it('answers no introspection and suggests no field names', async () => {
    const introspection = await test.client.request('{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    expect(JSON.stringify(introspection.body)).not.toContain('Customer');

    const typo = await test.client.request('{ custome(id: "x") { id } }');
    expect(typo.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean/);
  });

  it('takes its limits from the configuration', async () => {
    const error = await refusedAs(
      test,
      await staffToken(),
      `{ a: customer(id: "${SOME_ID}") { id } b: customer(id: "${SOME_ID}") { id } }`,
      'aliases',
    );
    expect(error.extensions).toMatchObject({ max: 1, measured: 2 });
  });
});
