import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createClient } from '../../examples/my-account/src/client';
import { MyProfile, SetEmailPreference } from '../../examples/my-account/src/operations';
import { ConfigError, loadConfig } from '../../src/config';
import { documentIdOf, loadTrustedDocuments } from '../../src/http/trusted-documents';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { brandToken, staffToken, tokenFor } from '../support/tokens';

const MY_ACCOUNT_MANIFEST = join(
  __dirname,
  '..',
  '..',
  'examples',
  'my-account',
  'src',
  'gql',
  'persisted-documents.json',
);

const ME = '{ me { id } }';

/** A raw POST, to send what the example client never would. */
async function post(test: TestGateway, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${test.baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: { extensions?: { code?: string } }[];
  };
  return {
    status: response.status,
    data: json.data,
    codes: json.errors?.map((e) => e.extensions?.code),
  };
}

const apq = (query: string) => ({
  version: 1,
  sha256Hash: documentIdOf(query).slice('sha256:'.length),
});

describe('trusted documents (TRUSTED_DOCUMENTS=the example client’s manifest)', () => {
  let test: TestGateway;
  let customerId: string;
  let customer: string;

  beforeAll(async () => {
    test = await startTestGateway('trusted_documents', {
      env: { TRUSTED_DOCUMENTS: MY_ACCOUNT_MANIFEST },
    });
    customerId = (await seed(test.client).customer().withWaitroseAccount().create()).id;
    customer = await tokenFor({ role: 'customer', sub: customerId });
  });
  afterAll(() => test.stop());

  it('runs the generated client’s documents for a customer, by documentId, typed', async () => {
    const execute = createClient({ url: test.gateway.url, token: customer });
    const profile = await execute(MyProfile);
    expect(profile.errors).toBeUndefined();
    expect(profile.data?.me.id).toBe(customerId);

    const changed = await execute(SetEmailPreference, { brand: 'WAITROSE', email: true });
    expect(changed.data?.setPreferences.preferences).toEqual({
      brand: 'WAITROSE',
      email: true,
      version: 1,
    });
  });

  it('refuses a customer’s own document, and an automatic persisted query, before parsing', async () => {
    expect(await post(test, { query: ME }, customer)).toEqual({
      status: 403,
      data: undefined,
      codes: ['PERSISTED_QUERY_NOT_ALLOWED'],
    });
    // Staff register the document as an APQ; the customer's hash-only request is still refused.
    const staff = await staffToken();
    const query = '{ customers(ids: []) { id } }';
    const registered = await post(
      test,
      { query, extensions: { persistedQuery: apq(query) } },
      staff,
    );
    expect(registered).toEqual({ status: 200, data: { customers: [] }, codes: undefined });
    expect(
      (await post(test, { extensions: { persistedQuery: apq(query) } }, customer)).codes,
    ).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
  });

  it('lets roles it does not bind send full documents', async () => {
    const staff = await post(
      test,
      { query: `{ customer(id: "${customerId}") { id } }` },
      await staffToken(),
    );
    expect(staff).toEqual({
      status: 200,
      data: { customer: { id: customerId } },
      codes: undefined,
    });
    const brand = await post(test, { query: '{ customers(ids: []) { id } }' }, await brandToken());
    expect(brand.codes).toBeUndefined();
  });

  it('answers an unknown documentId with PERSISTED_QUERY_NOT_FOUND, and both fields with BAD_REQUEST', async () => {
    expect(await post(test, { documentId: documentIdOf(ME) }, customer)).toEqual({
      status: 400,
      data: undefined,
      codes: ['PERSISTED_QUERY_NOT_FOUND'],
    });
    const { documents } = loadTrustedDocuments({ manifests: [MY_ACCOUNT_MANIFEST], roles: [] });
    const [id] = documents.keys();
    expect((await post(test, { documentId: id, query: ME }, customer)).codes).toEqual([
      'BAD_REQUEST',
    ]);
  });
});

describe('trusted documents: configuration', () => {
  it('binds customers by default, and refuses roles without manifests', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig({ ...base, TRUSTED_DOCUMENTS: 'a.json, b.json' }).trustedDocuments).toEqual({
      manifests: ['a.json', 'b.json'],
      roles: ['customer'],
    });
    expect(
      loadConfig({
        ...base,
        TRUSTED_DOCUMENTS: 'a.json',
        TRUSTED_DOCUMENTS_ROLES: 'customer,brand',
      }).trustedDocuments.roles,
    ).toEqual(['customer', 'brand']);
    expect(() => loadConfig({ ...base, TRUSTED_DOCUMENTS_ROLES: 'customer' })).toThrow(ConfigError);
    expect(() =>
      loadConfig({ ...base, TRUSTED_DOCUMENTS: 'a.json', TRUSTED_DOCUMENTS_ROLES: 'admin' }),
    ).toThrow(ConfigError);
  });

  it('stops start-up on a manifest whose id is not its document’s hash', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'persisted-documents.json');
    writeFileSync(file, JSON.stringify({ [documentIdOf(ME)]: '{ me { email } }' }));
    expect(() => loadTrustedDocuments({ manifests: [file], roles: ['customer'] })).toThrow(
      'is not the sha256 of its document',
    );
  });
});

describe('automatic persisted queries, as Apollo does them (no TRUSTED_DOCUMENTS)', () => {
  it('answers an unknown hash PERSISTED_QUERY_NOT_FOUND, then runs it once registered', async () => {
    const test = await startTestGateway('apq');
    try {
      const query = '{ customers(ids: []) { id } }';
      const staff = await staffToken();
      const hashOnly = { extensions: { persistedQuery: apq(query) } };
      expect(await post(test, hashOnly, staff)).toEqual({
        status: 200,
        data: undefined,
        codes: ['PERSISTED_QUERY_NOT_FOUND'],
      });
      await post(test, { query, ...hashOnly }, staff);
      expect(await post(test, hashOnly, staff)).toEqual({
        status: 200,
        data: { customers: [] },
        codes: undefined,
      });
    } finally {
      await test.stop();
    }
  });
});
