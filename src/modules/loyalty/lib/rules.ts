import { z } from 'zod';

import { loadDataFile } from '../../../lib/data-file';
import { Brand, MembershipScheme } from '../../customers/brand';
import { QuoteProduct } from '../../quotes/quote.enums';
// Imported rather than read from disk so the compiled gateway carries its rules with it.
import shippedRules from '../rules.json';

const membershipCondition = z.object({
  membership: z.object({
    schemes: z.array(z.enum(MembershipScheme)).min(1),
    /** Whole years the membership must have run by today; 0 means any current membership. */
    minimumYears: z.number().int().min(0),
  }),
});

const purchasedQuotesCondition = z.object({
  purchasedQuotes: z.object({ atLeast: z.number().int().min(1) }),
});

const ruleSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  description: z.string().min(1),
  brand: z.enum(Brand),
  percentage: z.number().int().min(1).max(100),
  products: z.array(z.enum(QuoteProduct)).min(1),
  /** Leave out the products the customer already holds a PURCHASED quote for. */
  excludePurchasedProducts: z.boolean().default(false),
  when: z.union([membershipCondition.strict(), purchasedQuotesCondition.strict()]),
  /** When the offer ends (an ISO 8601 instant), or null when it runs on. */
  validUntil: z.iso
    .datetime({ offset: true })
    .nullable()
    .default(null)
    .transform((value) => (value ? new Date(value) : null)),
});

const ruleFileSchema = z.object({
  rules: z
    .array(ruleSchema)
    .refine(
      (rules) => new Set(rules.map((rule) => rule.code)).size === rules.length,
      'rule codes must be unique',
    ),
});

export type LoyaltyRule = z.output<typeof ruleSchema>;

export class LoyaltyRulesError extends Error {
  override name = 'LoyaltyRulesError';
}

/**
 * The rules in force: the shipped `rules.json`, or the file LOYALTY_RULES_FILE names. Checked
 * once at start-up; a bad file stops the gateway.
 */
export function loadLoyaltyRules(file?: string): LoyaltyRule[] {
  return loadDataFile({
    file,
    shipped: shippedRules,
    shippedName: 'the shipped rules.json',
    schema: ruleFileSchema,
    fail: (message) => new LoyaltyRulesError(message),
  }).rules;
}
