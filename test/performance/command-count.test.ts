import { type CommandStartedEvent } from 'mongodb';

import { CRM_LIST, MY_ACCOUNT, PREFERENCE_CHANGE, SEND_TIME_CHECK } from '../../bench/scenarios';
import { RATE_LIMIT_COLLECTION } from '../../src/http/rate-limit';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken, tokenFor } from '../support/tokens';

/**
 * The database commands each benchmark scenario costs, as the targets count them: the
 * rate limit's count is left out (a caller's first request in a window, then shared in the
 * background, see rate-limits.test.ts), every other command is in.
 */
describe('database commands per request', () => {
  let test: TestGateway;
  let staff: string;
  const ids: string[] = [];

  beforeAll(async () => {
    test = await startTestGateway('command_count', { monitorCommands: true });
    staff = await staffToken();
    for (let index = 0; index < 50; index++) {
      const built = await seed(test.client)
        .customer()
        .withJohnLewisAccount({ memberSince: '2019-03-02' })
        .withWaitroseAccount()
        .withQuote(QuoteProduct.HOME, QuoteStatus.PURCHASED, '2024-01-01T10:00:00Z')
        .withQuote(QuoteProduct.CAR, QuoteStatus.QUOTED, '2024-02-01T10:00:00Z')
        .create();
      ids.push(built.id);
    }
  }, 120_000);
  afterAll(() => test.stop());

  /** The commands one request sends, as `name:collection`, and its data. */
  async function commandsOf(
    query: string,
    variables: Record<string, unknown>,
    token: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read nested response fields freely
  ): Promise<{ commands: string[]; data: Record<string, any> }> {
    const commands: string[] = [];
    const listener = (event: CommandStartedEvent) => {
      const target = event.command[event.commandName];
      if (target !== RATE_LIMIT_COLLECTION) {
        commands.push(
          typeof target === 'string' ? `${event.commandName}:${target}` : event.commandName,
        );
      }
    };
    const client = test.gateway.connection.getClient();
    client.on('commandStarted', listener);
    try {
      const data = await test.client.data(query, variables, { token });
      return { commands, data };
    } finally {
      client.off('commandStarted', listener);
    }
  }

  it('crmList: the same three commands for 5 customers and for 50', async () => {
    const forFive = await commandsOf(CRM_LIST, { ids: ids.slice(0, 5) }, staff);
    const forFifty = await commandsOf(CRM_LIST, { ids }, staff);
    expect(forFifty.data.customers).toHaveLength(50);
    expect(forFifty.data.customers[0].quotes.edges).toHaveLength(2);
    expect(forFifty.data.customers[0].loyalty.eligibleDiscounts.length).toBeGreaterThan(0);
    // Customers, brand accounts, and one aggregate for the quote pages, their counts and the
    // purchased quotes loyalty reads.
    expect(forFive.commands.sort()).toEqual([
      'aggregate:quotes',
      'find:brandAccounts',
      'find:customers',
    ]);
    expect(forFifty.commands.sort()).toEqual(forFive.commands);
  });

  it('myAccount: four commands', async () => {
    const token = await tokenFor({ role: 'customer', sub: ids[0] });
    const { commands, data } = await commandsOf(MY_ACCOUNT, {}, token);
    expect(data.me.quotes.totalCount).toBe(2);
    expect(data.me.loyalty.eligibleDiscounts.length).toBeGreaterThan(0);
    expect(commands.sort()).toEqual([
      'aggregate:quotes',
      'find:brandAccounts',
      'find:brandPreferences',
      'find:customers',
    ]);
  });

  it('sendTimeCheck: two commands', async () => {
    const token = await tokenFor({ role: 'marketing', sub: 'command-count' });
    const { commands, data } = await commandsOf(SEND_TIME_CHECK, { customerId: ids[1] }, token);
    expect(data.contactPermission.allowed).toBe(false);
    expect(commands.sort()).toEqual(['find:brandPreferences', 'find:customers']);
  });

  it('preferenceChange: one read, the feed position, two writes and the commit', async () => {
    const token = await tokenFor({ role: 'customer', sub: ids[2] });
    await commandsOf(PREFERENCE_CHANGE, { sms: true }, token);
    const { commands, data } = await commandsOf(PREFERENCE_CHANGE, { sms: false }, token);
    expect(data.setPreferences.changes).toEqual([{ channel: 'SMS', granted: false }]);
    expect(commands).toEqual([
      'aggregate:customers',
      'findAndModify:feedCounters',
      'update:brandPreferences',
      'insert:consentEvents',
      'commitTransaction',
    ]);
  });
});
