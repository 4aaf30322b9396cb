import { signDevelopmentToken } from '../../src/auth/tokens';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';
import { generateDemoData } from '../../src/seed/demo-data';
import { startGatewayProcess, type GatewayProcess } from '../hardening/support/gateway-process';
import { VERIFY } from '../preferences/operations';
import { GraphQLClient } from '../support/client';

const ME = /* GraphQL */ `
  query Me {
    me {
      id
      brandAccounts {
        brand
      }
      preferences {
        brand
        version
      }
    }
  }
`;

/**
 * `npm start` with nothing set, as someone trying the gateway runs it: a database of its own,
 * the demo data loaded into it, and then 'gateway ready'.
 */
describe('npm start on development defaults', () => {
  const demoCustomer = generateDemoData({ today: new Date() }).customers[0]._id.toHexString();
  let gateway: GatewayProcess;
  let client: GraphQLClient;

  beforeAll(async () => {
    gateway = await startGatewayProcess({});
    client = new GraphQLClient(gateway.url);
  }, 130_000);
  afterAll(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });

  it('loads the demo data into its empty database before it is ready', () => {
    const messages = gateway.logs().map((entry) => entry.msg);
    const seeded = messages.indexOf('loaded the demo data into an empty database');
    expect(seeded).toBeGreaterThan(-1);
    expect(seeded).toBeLessThan(messages.indexOf('gateway ready'));
    expect(gateway.logs()[seeded]).toMatchObject({
      customers: 300,
      accounts: 542,
      quotes: 863,
      preferenceChanges: 83,
    });
  });

  it('answers for the demo customer, whose consent trail verifies', async () => {
    const sign = (role: 'customer' | 'staff', sub: string) =>
      signDevelopmentToken(DEVELOPMENT_JWT_SECRET, { role, sub });
    const { me } = await client.data(ME, {}, { token: await sign('customer', demoCustomer) });
    expect(me.id).toBe(demoCustomer);
    expect(me.brandAccounts).toHaveLength(3);
    expect(me.preferences.map((entry: { version: number }) => entry.version)).toEqual([1, 2, 1]);
    const { verifyConsentTrail } = await client.data(
      VERIFY,
      { customerId: demoCustomer },
      { token: await sign('staff', 'start-up-test') },
    );
    expect(verifyConsentTrail).toEqual({ valid: true, events: 9, firstBrokenEventId: null });
  });
});
