import { createTokenVerifier } from '../../src/auth/verify-token';
import { rawHs256Token, TEST_JWT_SECRET } from '../support/tokens';
import { TOKEN_AUDIENCE } from '../../src/auth/tokens';

const MAX_AGE_SECONDS = 3600;
const TOLERANCE_SECONDS = 30;
const CUSTOMER = '0123456789abcdef01234567';

/**
 * A verified token is remembered so a session's signature is checked once. Remembering must not
 * make a token live longer: these move only the clock (Date), nothing else, past the moment the
 * checks refuse it, and ask again.
 */
describe('remembered tokens', () => {
  const start = new Date('2026-11-26T12:00:00Z');
  const verify = createTokenVerifier({
    jwtSecret: TEST_JWT_SECRET,
    maxTokenAgeSeconds: MAX_AGE_SECONDS,
  });

  beforeEach(() => {
    jest.useFakeTimers({
      now: start,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });
  afterEach(() => jest.useRealTimers());

  async function tokenExpiringIn(seconds: number): Promise<string> {
    const iat = Math.floor(start.getTime() / 1000);
    return rawHs256Token({
      role: 'customer',
      sub: CUSTOMER,
      aud: TOKEN_AUDIENCE,
      iat,
      exp: iat + seconds,
    });
  }

  it('answers the same viewer again, and refuses the token once it has expired', async () => {
    const token = await tokenExpiringIn(600);
    const viewer = { role: 'customer', subject: CUSTOMER };
    expect(await verify(`Bearer ${token}`)).toEqual(viewer);
    jest.setSystemTime(start.getTime() + (600 + TOLERANCE_SECONDS - 1) * 1000);
    expect(await verify(`Bearer ${token}`)).toEqual(viewer);
    jest.setSystemTime(start.getTime() + (600 + TOLERANCE_SECONDS + 1) * 1000);
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message: expect.stringContaining('expired'),
    });
  });

  it('refuses a remembered token once it is older than the age limit', async () => {
    const token = await tokenExpiringIn(MAX_AGE_SECONDS);
    await verify(`Bearer ${token}`);
    jest.setSystemTime(start.getTime() + (MAX_AGE_SECONDS + TOLERANCE_SECONDS + 1) * 1000);
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('never remembers a refused token', async () => {
    const forged = await rawHs256Token(
      { role: 'staff', sub: 'x', aud: TOKEN_AUDIENCE },
      { secret: 'n'.repeat(40), expiresIn: '10m' },
    );
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(verify(`Bearer ${forged}`)).rejects.toMatchObject({
        message: expect.stringContaining('signature'),
      });
    }
  });

  it('gives each request a viewer it cannot change for the next', async () => {
    const token = await tokenExpiringIn(600);
    const viewer = await verify(`Bearer ${token}`);
    expect(Object.isFrozen(await verify(`Bearer ${token}`))).toBe(true);
    expect(() => Object.assign(viewer, { role: 'staff' })).toThrow();
  });
});
