import { type Viewer } from '../../auth/viewer';
import { type Clock } from '../../clock';
import { type CustomerLoaders } from '../customers/customer.loaders';
import { type QuoteLoaders } from '../quotes/quote.loaders';
import { describeGrounds } from './lib/describe';
import { evaluateLoyalty } from './lib/evaluate';
import { type LoyaltyRule } from './lib/rules';
import { evidenceVisibility } from './lib/visibility';
import { type DiscountEligibility } from './loyalty.type';

export interface LoyaltyServiceDeps {
  rules: readonly LoyaltyRule[];
  loaders: Pick<CustomerLoaders, 'accountsByCustomer'> &
    Pick<QuoteLoaders, 'purchasedQuotesByCustomer'>;
  clock: Clock;
}

export class LoyaltyService {
  constructor(private readonly deps: LoyaltyServiceDeps) {}

  /** The discounts, each with a reason worded for what `viewer` may read. */
  async eligibleDiscounts(customerId: string, viewer: Viewer): Promise<DiscountEligibility[]> {
    const { loaders, rules, clock } = this.deps;
    // Both loads start before either is awaited so each batches across every customer asked.
    const [accounts, purchases] = await Promise.all([
      loaders.accountsByCustomer.load(customerId),
      loaders.purchasedQuotesByCustomer.load(customerId),
    ]);
    const memberships = accounts.flatMap((account) =>
      account.membership ? [account.membership] : [],
    );
    const visibility = evidenceVisibility(viewer, customerId);
    return evaluateLoyalty(rules, { memberships, purchases }, clock.now()).map(
      ({ rule, products, grounds }) => ({
        code: rule.code,
        description: rule.description,
        brand: rule.brand,
        products,
        percentage: rule.percentage,
        reason: describeGrounds(grounds, visibility),
        validUntil: rule.validUntil ?? undefined,
      }),
    );
  }
}
