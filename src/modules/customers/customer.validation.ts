import { z } from 'zod';

import { formatCalendarDate, ukDateOf } from '../../calendar';
import { type DateBounds } from '../../config';
import { objectIdKey, parseObjectId } from '../../db/object-id';
import { normalizeIdentifier } from '../../lib/identifier';
import { Brand, MembershipScheme, SCHEME_BRAND } from './brand';
import { cleanEmail, emailProblem } from './lib/email';
import { canonicalPostcode } from './lib/postcode';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/**
 * An optional input. GraphQL sends null for an omitted field and a form sends "" (or spaces) for
 * an empty one: all of them mean absent, which the services speak as `undefined`.
 */
export const optional = <T extends z.ZodType>(schema: T) =>
  z
    .preprocess(
      (value) =>
        value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value,
      schema.optional(),
    )
    .optional();

/** An id from a brand's or the quote engine's own system: see `normalizeIdentifier`. */
export const identifierSchema = (max: number) =>
  z.string().transform(normalizeIdentifier).pipe(text(max));

export const accountIdSchema = identifierSchema(64);

/** A gateway id in its one spelling (see `objectIdKey`). */
export const objectIdSchema = z
  .string()
  .transform(objectIdKey)
  .refine((id) => parseObjectId(id) !== undefined, 'is not a valid id');

export const emailSchema = z.string().transform((raw, context) => {
  const address = cleanEmail(raw);
  const problem = emailProblem(address);
  if (problem) {
    context.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return address;
});

export const postalAddressSchema = z
  .object({
    line1: text(200),
    line2: optional(text(200)),
    town: text(100),
    postcode: z.string(),
    country: optional(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as GB'),
    ),
  })
  .transform((address, context) => {
    const country = address.country ?? 'GB';
    const postcode = canonicalPostcode(address.postcode, country);
    if (!postcode) {
      context.addIssue({
        code: 'custom',
        path: ['postcode'],
        message: country === 'GB' ? 'is not a UK postcode' : 'is not a postcode',
      });
      return z.NEVER;
    }
    return { ...address, country, postcode };
  });

export const personNameSchema = z.object({
  title: optional(text(20)),
  firstName: text(100),
  lastName: text(100),
});

/** The rules of `upsertBrandAccount`'s input; `now` bounds the membership's start. */
export function brandAccountInputSchema(now: Date, bounds: DateBounds) {
  return z
    .object({
      brand: z.enum(Brand),
      accountId: accountIdSchema,
      email: emailSchema,
      emailVerified: z.boolean(),
      name: personNameSchema,
      postalAddress: optional(postalAddressSchema),
      membership: optional(
        z.object({
          scheme: z.enum(MembershipScheme),
          number: identifierSchema(32),
          since: z
            .date()
            .min(
              bounds.earliestMembershipSince,
              `must not be before ${formatCalendarDate(bounds.earliestMembershipSince)}`,
            )
            .max(ukDateOf(now), 'must not be in the future'),
          tier: optional(text(32)),
        }),
      ),
      customerId: optional(objectIdSchema),
    })
    .superRefine((input, context) => {
      if (input.membership && SCHEME_BRAND[input.membership.scheme] !== input.brand) {
        context.addIssue({
          code: 'custom',
          path: ['membership', 'scheme'],
          message: `is not a scheme of ${input.brand}`,
        });
      }
    });
}

export type BrandAccountReport = z.output<ReturnType<typeof brandAccountInputSchema>>;
