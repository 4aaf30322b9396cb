import { type CommandStartedEvent } from 'mongodb';

import { RATE_LIMIT_COLLECTION } from '../../src/http/rate-limit';
import { QuoteProduct, QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { seed } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { staffToken } from '../support/tokens';

const PROFILES = /* GraphQL */ `
  query ($ids: [ID!]!) {
    customers(ids: $ids) {
      brandAccounts {
        brand
      }
      quotes(first: 5) {
        totalCount
        edges {
          node {
            id
          }
        }
      }
      loyalty {
        eligibleDiscounts {
          code
        }
      }
    }
  }
`;

describe('database commands per request', () => {
  let test: TestGateway;
  let token: string;
  const ids: string[] = [];

  beforeAll(async () => {
    test = await startTestGateway('command_count', { monitorCommands: true });
    token = await staffToken();
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

  async function commandsFor(customerIds: string[]): Promise<string[]> {
    const commands: string[] = [];
    // The rate limit's count is one command per request whatever it asks: not a data read.
    const listener = (event: CommandStartedEvent) => {
      if (event.command[event.commandName] !== RATE_LIMIT_COLLECTION) {
        commands.push(event.commandName);
      }
    };
    const client = test.gateway.connection.getClient();
    client.on('commandStarted', listener);
    try {
      const data = await test.client.data(PROFILES, { ids: customerIds }, { token });
      expect(data.customers).toHaveLength(customerIds.length);
      expect(data.customers[0].quotes.edges).toHaveLength(2);
      expect(data.customers[0].loyalty.eligibleDiscounts.length).toBeGreaterThan(0);
    } finally {
      client.off('commandStarted', listener);
    }
    return commands;
  }

  it('is the same small number for 5 customers and for 50', async () => {
    const forFive = await commandsFor(ids.slice(0, 5));
    const forFifty = await commandsFor(ids);
    // customers, brand accounts, one quote page aggregate (which counts too, so totalCount costs
    // nothing more), purchased quotes for loyalty.
    expect(forFive).toHaveLength(4);
    expect(forFifty).toEqual(forFive);
  });
});
