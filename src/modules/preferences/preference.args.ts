import { ArgsType, Field, ID, Int } from 'type-graphql';

import { Brand } from '../customers/brand';
import { Channel, ContactPurpose } from './preference.enums';

export const DEFAULT_HISTORY_PAGE = 50;
export const DEFAULT_FEED_PAGE = 100;
export const MAX_EVENT_PAGE = 100;

@ArgsType()
export class PreferencesArgs {
  @Field(() => Brand, {
    nullable: true,
    description: 'Only this brand; all three when left out (a brand caller gets its own only)',
  })
  brand?: Brand | null;
}

@ArgsType()
export class ConsentHistoryArgs {
  @Field(() => Brand, {
    nullable: true,
    description: 'Only this brand (a brand caller gets its own only)',
  })
  brand?: Brand | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_HISTORY_PAGE,
    description: `1 to ${MAX_EVENT_PAGE}`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

@ArgsType()
export class ContactPermissionArgs {
  @Field(() => ID, { description: 'The customer to contact; an unknown one is NOT_FOUND' })
  customerId!: string;

  @Field(() => Brand, { description: 'The brand that wants to make contact (a brand: its own)' })
  brand!: Brand;

  @Field(() => Channel, { description: 'How the brand wants to make contact' })
  channel!: Channel;

  @Field(() => String, { nullable: true, description: 'The push topic: required for PUSH only' })
  topic?: string | null;

  @Field(() => ContactPurpose, {
    nullable: true,
    defaultValue: ContactPurpose.MARKETING,
    description: 'Why: each purpose has its own rule (see ContactPurpose)',
  })
  purpose?: ContactPurpose | null;
}

@ArgsType()
export class PreferenceChangesArgs {
  @Field(() => String, {
    nullable: true,
    description: 'The endCursor of the previous page; from the beginning when left out',
  })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_FEED_PAGE,
    description: `1 to ${MAX_EVENT_PAGE}`,
  })
  first?: number | null;
}

@ArgsType()
export class VerifyConsentTrailArgs {
  @Field(() => ID, { description: 'The customer whose consent trail to recompute' })
  customerId!: string;
}
