import { allow } from 'graphql-shield';

import { type PermissionMap } from '../../graphql/permissions';

/** Who may ask for what in this module; the authorization issue narrows these per role. */
export const loyaltyPermissions: PermissionMap = {
  Customer: {
    loyalty: allow,
  },
  Loyalty: allow,
  DiscountEligibility: allow,
};
