import { type Clock } from '../../clock';
import { type CustomerLoaders } from '../customers/customer.loaders';
import { type QuoteLoaders } from '../quotes/quote.loaders';
import { evaluateLoyalty } from './lib/evaluate';
import { type LoyaltyRule } from './lib/rules';
import { type DiscountEligibility } from './loyalty.type';

export interface LoyaltyServiceDeps {
  rules: readonly LoyaltyRule[];
  loaders: Pick<CustomerLoaders, 'accountsByCustomer'> &
    Pick<QuoteLoaders, 'purchasedQuotesByCustomer'>;
  clock: Clock;
}

export class LoyaltyService {
  constructor(private readonly deps: LoyaltyServiceDeps) {}

  async eligibleDiscounts(customerId: string): Promise<DiscountEligibility[]> {
    const { loaders, rules, clock } = this.deps;
    // Both loads start before either is awaited so each batches across every customer asked.
    const [accounts, purchases] = await Promise.all([
      loaders.accountsByCustomer.load(customerId),
      loaders.purchasedQuotesByCustomer.load(customerId),
    ]);
    const memberships = accounts.flatMap((account) =>
      account.membership ? [account.membership] : [],
    );
    return evaluateLoyalty(rules, { memberships, purchases }, clock.now()).map(
      ({ rule, products, reason }) => ({
        code: rule.code,
        description: rule.description,
        brand: rule.brand,
        products,
        percentage: rule.percentage,
        reason,
        validUntil: rule.validUntil ?? undefined,
      }),
    );
  }
}
