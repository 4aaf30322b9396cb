import { z } from 'zod';

import { formatCalendarDate, ukDateOf } from '../../calendar';
import { type DateBounds } from '../../config';
import { identifierSchema, objectIdSchema } from '../customers/customer.validation';
import { parseAmountToMinor } from './lib/money';
import { QuoteProduct, QuoteStatus } from './quote.enums';

/** Quote engines' clocks may run a little ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The rules of `recordQuote`'s input; `now` and `bounds` bound when a quote can have been made. */
export function quoteInputSchema(now: Date, bounds: DateBounds) {
  return z
    .object({
      customerId: objectIdSchema,
      reference: identifierSchema(64).pipe(
        z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_/-]{0,63}$/, 'must be 1-64 letters, digits, -, _ or /'),
      ),
      product: z.enum(QuoteProduct),
      status: z.enum(QuoteStatus),
      premium: z.object({
        amount: z.string().transform((amount, context) => {
          const minor = parseAmountToMinor(amount);
          if (minor === undefined) {
            context.addIssue({
              code: 'custom',
              message: 'must be a non-negative amount with at most two decimals, such as "182.40"',
            });
            return z.NEVER;
          }
          return minor;
        }),
        currency: z.literal('GBP', 'only GBP is supported'),
      }),
      createdAt: z
        .date()
        .max(new Date(now.getTime() + CLOCK_SKEW_MS), 'must not be in the future')
        .refine(
          (createdAt) => ukDateOf(createdAt) >= bounds.earliestQuoteDate,
          `must not be before ${formatCalendarDate(bounds.earliestQuoteDate)}`,
        ),
      validUntil: z.date(),
    })
    .superRefine((input, context) => {
      if (input.validUntil.getTime() <= input.createdAt.getTime()) {
        context.addIssue({
          code: 'custom',
          path: ['validUntil'],
          message: 'must be after createdAt',
        });
      }
    });
}

export type QuoteReport = z.output<ReturnType<typeof quoteInputSchema>>;
