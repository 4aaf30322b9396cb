import { addYears, ukDateOf } from '../../../calendar';
import { type MembershipScheme } from '../../customers/brand';
import { type QuoteProduct } from '../../quotes/quote.enums';
import { type LoyaltyRule } from './rules';

export interface Purchase {
  product: QuoteProduct;
  reference: string;
  createdAt: Date;
}

/** What the rules look at: a customer's memberships across brands and their purchases. */
export interface LoyaltyEvidence {
  memberships: { scheme: MembershipScheme; since: Date }[];
  /** PURCHASED quotes, oldest first. */
  purchases: Purchase[];
}

/**
 * Why a rule applies, as data rather than words: `describeGrounds` words it for one viewer, who
 * may not be allowed to see all of it.
 */
export type Grounds =
  | {
      kind: 'membership';
      scheme: MembershipScheme;
      /** The oldest qualifying membership's first day. */
      since: Date;
      minimumYears: number;
    }
  | {
      kind: 'purchases';
      /** Each product bought, once, in the order first bought. */
      products: QuoteProduct[];
      latest: Purchase;
    };

export interface Eligibility {
  rule: LoyaltyRule;
  products: QuoteProduct[];
  grounds: Grounds;
}

function membershipGrounds(
  condition: { schemes: MembershipScheme[]; minimumYears: number },
  evidence: LoyaltyEvidence,
  now: Date,
): Grounds | undefined {
  // Anniversaries are UK calendar days: a membership turns three on its day in London.
  const today = ukDateOf(now);
  const qualifying = evidence.memberships
    .filter((membership) => condition.schemes.includes(membership.scheme))
    .filter((membership) => addYears(membership.since, condition.minimumYears) <= today)
    .sort((left, right) => left.since.getTime() - right.since.getTime());
  const oldest = qualifying[0];
  return (
    oldest && {
      kind: 'membership',
      scheme: oldest.scheme,
      since: oldest.since,
      minimumYears: condition.minimumYears,
    }
  );
}

function purchasesGrounds(
  condition: { atLeast: number },
  evidence: LoyaltyEvidence,
): Grounds | undefined {
  const latest = evidence.purchases.at(-1);
  if (!latest || evidence.purchases.length < condition.atLeast) return undefined;
  const products = [...new Set(evidence.purchases.map((purchase) => purchase.product))];
  return { kind: 'purchases', products, latest };
}

/**
 * Applies the rules to one customer's evidence at `now`. Pure: the rules are data, and the
 * clock is an argument so a test can stand on either side of a boundary.
 */
export function evaluateLoyalty(
  rules: readonly LoyaltyRule[],
  evidence: LoyaltyEvidence,
  now: Date,
): Eligibility[] {
  const purchased = new Set(evidence.purchases.map((purchase) => purchase.product));
  const eligibilities: Eligibility[] = [];
  for (const rule of rules) {
    if (rule.validUntil && rule.validUntil < now) continue;
    const grounds =
      'membership' in rule.when
        ? membershipGrounds(rule.when.membership, evidence, now)
        : purchasesGrounds(rule.when.purchasedQuotes, evidence);
    if (!grounds) continue;
    const products = rule.excludePurchasedProducts
      ? rule.products.filter((product) => !purchased.has(product))
      : rule.products;
    if (products.length === 0) continue;
    eligibilities.push({ rule, products, grounds });
  }
  return eligibilities;
}
