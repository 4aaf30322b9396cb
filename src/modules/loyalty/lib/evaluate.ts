import { type MembershipScheme, SCHEME_LABEL } from '../../customers/brand';
import { type QuoteProduct } from '../../quotes/quote.enums';
import { type LoyaltyRule } from './rules';

/** What the rules look at: a customer's memberships across brands and their purchases. */
export interface LoyaltyEvidence {
  memberships: { scheme: MembershipScheme; since: Date }[];
  /** PURCHASED quotes, oldest first. */
  purchases: { product: QuoteProduct; reference: string; createdAt: Date }[];
}

export interface Eligibility {
  rule: LoyaltyRule;
  products: QuoteProduct[];
  /** Names the evidence, such as "my Waitrose member since 2019-03-02". */
  reason: string;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `date` plus whole calendar years (UTC); 29 February rolls over to 1 March. */
function addYears(date: Date, years: number): Date {
  const shifted = new Date(date.getTime());
  shifted.setUTCFullYear(shifted.getUTCFullYear() + years);
  return shifted;
}

function membershipReason(
  condition: { schemes: MembershipScheme[]; minimumYears: number },
  evidence: LoyaltyEvidence,
  now: Date,
): string | undefined {
  const qualifying = evidence.memberships
    .filter((membership) => condition.schemes.includes(membership.scheme))
    .filter((membership) => addYears(membership.since, condition.minimumYears) <= now)
    .sort((left, right) => left.since.getTime() - right.since.getTime());
  const oldest = qualifying[0];
  return oldest && `${SCHEME_LABEL[oldest.scheme]} member since ${isoDay(oldest.since)}`;
}

function purchasesReason(
  condition: { atLeast: number },
  evidence: LoyaltyEvidence,
): string | undefined {
  if (evidence.purchases.length < condition.atLeast) return undefined;
  const described = evidence.purchases.map(
    (purchase) =>
      `${purchase.product.toLowerCase()} insurance bought ${isoDay(purchase.createdAt)} ` +
      `(quote ${purchase.reference})`,
  );
  return `holds ${described.join(', ')}`;
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
    const reason =
      'membership' in rule.when
        ? membershipReason(rule.when.membership, evidence, now)
        : purchasesReason(rule.when.purchasedQuotes, evidence);
    if (!reason) continue;
    const products = rule.excludePurchasedProducts
      ? rule.products.filter((product) => !purchased.has(product))
      : rule.products;
    if (products.length === 0) continue;
    eligibilities.push({ rule, products, reason });
  }
  return eligibilities;
}
