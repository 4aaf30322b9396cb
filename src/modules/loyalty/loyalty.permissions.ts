import { allow } from 'graphql-shield';

import { type PermissionMap } from '../../graphql/permissions';
import { canReadCustomer } from '../customers/customer.permissions';

/**
 * Who may ask for what in this module. Whoever may read the customer sees their discounts;
 * the reasons name only evidence that caller may see (the loyalty service redacts the rest).
 */
export const loyaltyPermissions: PermissionMap = {
  Customer: {
    loyalty: canReadCustomer,
  },
  Loyalty: allow,
  DiscountEligibility: allow,
};
