import { z } from 'zod';

import { Brand } from '../customers/brand';
import { objectIdSchema } from '../customers/customer.validation';
import { ConsentSource } from './preference.enums';

/** GraphQL sends null for an omitted nullable field; the service speaks `undefined`. */
const absent = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

/** More topics than any app has would only be a way to make one call do unbounded work. */
const MAX_PUSH_TOPICS = 50;

export const setPreferencesInputSchema = z.object({
  customerId: absent(objectIdSchema),
  brand: z.enum(Brand),
  email: absent(z.boolean()),
  sms: absent(z.boolean()),
  post: absent(z.boolean()),
  phone: absent(z.boolean()),
  thirdPartyOffers: absent(z.boolean()),
  quoteFollowUp: absent(z.boolean()),
  push: absent(
    z
      .array(z.object({ topic: z.string(), enabled: z.boolean() }))
      .max(MAX_PUSH_TOPICS, `at most ${MAX_PUSH_TOPICS} topics`),
  ),
  pushAll: absent(z.boolean()),
  source: z.enum(ConsentSource),
  evidence: absent(z.string().trim().min(1, 'must not be empty').max(500)),
  idempotencyKey: absent(
    z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, ., _, : or -'),
  ),
  expectedVersion: absent(z.number().int().min(0, 'must not be negative')),
});

export type PreferenceRequest = z.output<typeof setPreferencesInputSchema>;
