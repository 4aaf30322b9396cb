import { z } from 'zod';

import { parseObjectId } from '../../db/object-id';
import { Brand, MembershipScheme, SCHEME_BRAND } from './brand';

/** GraphQL sends null for an omitted nullable field; the services speak `undefined`. */
const absent = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const UK_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/;

export const objectIdSchema = z
  .string()
  .refine((id) => parseObjectId(id) !== undefined, 'is not a valid id');

export const emailSchema = z.string().trim().pipe(z.email('is not a valid email address').max(254));

const postalAddressSchema = z
  .object({
    line1: text(200),
    line2: absent(text(200)),
    town: text(100),
    postcode: z.string().trim().toUpperCase(),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as GB'),
  })
  .transform((address, context) => {
    if (address.country !== 'GB') {
      if (!/^[A-Z0-9][A-Z0-9 -]{1,11}$/.test(address.postcode)) {
        context.addIssue({ code: 'custom', path: ['postcode'], message: 'is not a postcode' });
      }
      return address;
    }
    const match = UK_POSTCODE.exec(address.postcode);
    if (!match) {
      context.addIssue({ code: 'custom', path: ['postcode'], message: 'is not a UK postcode' });
      return address;
    }
    // One spelling per postcode, "SW1A 1AA", whatever spacing the brand sent.
    return { ...address, postcode: `${match[1]} ${match[2]}` };
  });

/** The rules of `upsertBrandAccount`'s input; `now` bounds the membership's start. */
export function brandAccountInputSchema(now: Date) {
  return z
    .object({
      brand: z.enum(Brand),
      accountId: text(64),
      email: emailSchema,
      emailVerified: z.boolean(),
      name: z.object({
        title: absent(text(20)),
        firstName: text(100),
        lastName: text(100),
      }),
      postalAddress: absent(postalAddressSchema),
      membership: absent(
        z.object({
          scheme: z.enum(MembershipScheme),
          number: text(32),
          since: z.date().max(now, 'must not be in the future'),
          tier: absent(text(32)),
        }),
      ),
      customerId: absent(objectIdSchema),
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
