import { allow } from 'graphql-shield';

import { hasRole, viewerRule } from '../../auth/rules';
import { parseObjectId } from '../../db/object-id';
import { type PermissionMap } from '../../graphql/permissions';
import { type UnsubscribeLinkArgs } from './unsubscribe.type';

/** Marketing and staff for anyone; a brand for its own emails, to customers it may read. */
const canMakeUnsubscribeLink = viewerRule<unknown, UnsubscribeLinkArgs>(
  'canMakeUnsubscribeLink',
  async (viewer, _parent, args, { access }) =>
    viewer.role === 'marketing' ||
    viewer.role === 'staff' ||
    (parseObjectId(args.customerId) !== undefined &&
      (await access.canReadAsBrand(args.brand, args.customerId))),
);

const staffOnly = hasRole('staff');

/** Who may ask for what in this module: the README's permission table. */
export const optOutPermissions: PermissionMap = {
  Query: {
    unsubscribeLink: canMakeUnsubscribeLink,
    postalRequests: staffOnly,
  },
  Mutation: {
    // The token is the authority: whoever received the email may use its link.
    unsubscribe: allow,
    recordPostalRequest: staffOnly,
    resolvePostalRequest: staffOnly,
    dismissPostalRequest: staffOnly,
  },
  UnsubscribePayload: allow,
  // Reached only through the staff-only fields above.
  PostalRequestPayload: allow,
  PostalRequest: allow,
  PostalPreferenceUpdate: allow,
  PostalRequestConnection: allow,
  PostalRequestEdge: allow,
};
