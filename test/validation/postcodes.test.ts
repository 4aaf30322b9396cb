import { accountInput, UPSERT_BRAND_ACCOUNT } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { reporterToken } from '../support/tokens';

/** As people write them → as the gateway stores them. */
const ACCEPTED: [written: string, country: string | undefined, stored: string][] = [
  ['sw1a1aa', undefined, 'SW1A 1AA'],
  [' SW1A  1AA ', undefined, 'SW1A 1AA'],
  ['SW1A\t1AA', undefined, 'SW1A 1AA'],
  ['sw1a\u00a01aa', undefined, 'SW1A 1AA'],
  ['M1 1AE', undefined, 'M1 1AE'],
  ['b338th', undefined, 'B33 8TH'],
  ['cr2 6xh', undefined, 'CR2 6XH'],
  ['dn55 1pt', undefined, 'DN55 1PT'],
  ['gir0aa', undefined, 'GIR 0AA'],
  ['GIR 0AA', undefined, 'GIR 0AA'],
  ['bfpo 123', undefined, 'BFPO 123'],
  ['BFPO1', undefined, 'BFPO 1'],
  ['ASCN 1ZZ', undefined, 'ASCN 1ZZ'],
  ['sthl1zz', undefined, 'STHL 1ZZ'],
  ['TDCU 1ZZ', undefined, 'TDCU 1ZZ'],
  ['BBND 1ZZ', undefined, 'BBND 1ZZ'],
  ['BIQQ 1ZZ', undefined, 'BIQQ 1ZZ'],
  ['fiqq 1zz', undefined, 'FIQQ 1ZZ'],
  ['GX11 1AA', undefined, 'GX11 1AA'],
  ['PCRN 1ZZ', undefined, 'PCRN 1ZZ'],
  ['SIQQ 1ZZ', undefined, 'SIQQ 1ZZ'],
  ['TKCA 1ZZ', undefined, 'TKCA 1ZZ'],
  ['je2 3ab', 'JE', 'JE2 3AB'],
  ['gx111aa', 'GI', 'GX11 1AA'],
  ['FIQQ1ZZ', 'FK', 'FIQQ 1ZZ'],
  // Cayman's codes are the Cayman Islands Postal Service's, not Royal Mail's: its own country.
  ['ky1-1234', 'KY', 'KY1-1234'],
  ['75001', 'FR', '75001'],
  [' 1012  ab ', 'NL', '1012 AB'],
];

const REFUSED: [written: string, country: string | undefined][] = [
  ['NOT A CODE', undefined],
  ['SW1A 1A', undefined],
  ['BFPO 12345', undefined],
  ['ASCN 2ZZ', undefined],
  ['KY1-1234', undefined],
  ['75001', 'JE'],
  ['', 'FR'],
];

describe('UK postcodes as people write them', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('postcodes');
  });
  afterAll(() => test.stop());

  const address = (postcode: string, country: string | undefined) => ({
    line1: '1 High Street',
    town: 'Somewhere',
    postcode,
    ...(country ? { country } : {}),
  });

  it.each(ACCEPTED)('stores %j (country %s) as %j', async (written, country, stored) => {
    const input = accountInput({ postalAddress: address(written, country) });
    const token = await reporterToken(input);
    const data = await test.client.data(UPSERT_BRAND_ACCOUNT, { input }, { token });
    expect(data.upsertBrandAccount.postalAddress).toMatchObject({
      postcode: stored,
      country: country ?? 'GB',
    });
  });

  it.each(REFUSED)('refuses %j (country %s)', async (written, country) => {
    const input = accountInput({ postalAddress: address(written, country) });
    await test.client.error(
      UPSERT_BRAND_ACCOUNT,
      { input },
      { token: await reporterToken(input) },
      { code: 'BAD_USER_INPUT', field: 'input.postalAddress.postcode' },
    );
  });
});
