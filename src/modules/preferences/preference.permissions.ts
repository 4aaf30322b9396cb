import { allow } from 'graphql-shield';

import { brandOf, hasRole, viewerRule } from '../../auth/rules';
import { parseObjectId } from '../../db/object-id';
import { type PermissionMap } from '../../graphql/permissions';
import { type Brand } from '../customers/brand';
import { type Customer } from '../customers/customer.type';
import { type ContactPermissionArgs } from './preference.args';
import { ConsentSource } from './preference.enums';
import { type SetPreferencesInput } from './preference.input';
import { type ConsentEvent } from './preference.type';

const SELF_SERVICE_SOURCES: readonly ConsentSource[] = [ConsentSource.WEB, ConsentSource.APP];
const STAFF_SOURCES: readonly ConsentSource[] = [ConsentSource.STAFF, ConsentSource.POST];

/**
 * The README's rows for setPreferences, all on the input (shield never runs on input types):
 * a customer for themselves from WEB or APP; a brand for its own brand and a customer it may
 * read, from its WEB or APP pages; staff for a named customer, from STAFF or POST.
 */
const canSetPreferences = viewerRule<unknown, { input: SetPreferencesInput }>(
  'canSetPreferences',
  async (viewer, _parent, { input }, { access }) => {
    const customerId = input.customerId ?? undefined;
    switch (viewer.role) {
      case 'customer':
        return (
          SELF_SERVICE_SOURCES.includes(input.source) &&
          (customerId === undefined || access.isSelf(customerId))
        );
      case 'brand':
        return (
          SELF_SERVICE_SOURCES.includes(input.source) &&
          customerId !== undefined &&
          parseObjectId(customerId) !== undefined &&
          access.canReadAsBrand(input.brand, customerId)
        );
      case 'staff':
        return STAFF_SOURCES.includes(input.source) && customerId !== undefined;
      case 'marketing':
        return false;
    }
  },
);

/**
 * The customer themselves, staff, and a brand for its own brand only: asking for another
 * brand is FORBIDDEN; asking for none gives a brand its own entry alone (the service filters).
 */
const canReadPreferences = viewerRule<Customer, { brand?: Brand | null }>(
  'canReadPreferences',
  async (viewer, customer, { brand }, { access }) => {
    if (viewer.role === 'staff') return true;
    if (viewer.role === 'customer') return access.isSelf(customer.id);
    const own = brandOf(viewer);
    return (
      own !== undefined &&
      (brand == null || brand === own) &&
      access.canReadAsBrand(own, customer.id)
    );
  },
);

/** Marketing and staff for anyone; a brand for its own brand and the customers it may read. */
const canCheckContactPermission = viewerRule<unknown, ContactPermissionArgs>(
  'canCheckContactPermission',
  async (viewer, _parent, args, { access }) =>
    viewer.role === 'marketing' ||
    viewer.role === 'staff' ||
    (parseObjectId(args.customerId) !== undefined &&
      (await access.canReadAsBrand(args.brand, args.customerId))),
);

/**
 * Free-text evidence may hold personal data (a letter reference, app details): the customer,
 * staff and the event's own brand see it; a marketing platform reading the feed does not.
 */
const canSeeEvidence = viewerRule<ConsentEvent>(
  'canSeeEvidence',
  (viewer, event, _args, { access }) =>
    viewer.role === 'staff' || access.isSelf(event.customerId) || brandOf(viewer) === event.brand,
);

/** Who may ask for what in this module: the README's permission table. */
export const preferencePermissions: PermissionMap = {
  Query: {
    contactPermission: canCheckContactPermission,
    preferenceChanges: hasRole('marketing', 'staff'),
    verifyConsentTrail: hasRole('staff'),
  },
  Mutation: {
    setPreferences: canSetPreferences,
  },
  Customer: {
    preferences: canReadPreferences,
    consentHistory: canReadPreferences,
  },
  // Reached only through the guarded fields above.
  BrandPreferences: allow,
  PushTopicPreference: allow,
  ChannelConsent: allow,
  ConsentEventConnection: allow,
  ConsentEventEdge: allow,
  ConsentActor: allow,
  ContactPermission: allow,
  ConsentTrailVerification: allow,
  SetPreferencesPayload: allow,
  ConsentEvent: {
    id: allow,
    customerId: allow,
    brand: allow,
    channel: allow,
    topic: allow,
    purpose: allow,
    granted: allow,
    previous: allow,
    source: allow,
    actor: allow,
    at: allow,
    hash: allow,
    evidence: canSeeEvidence,
  },
};
