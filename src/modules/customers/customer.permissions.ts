import { allow } from 'graphql-shield';

import { hasRole, isAuthenticated } from '../../auth/rules';
import { type PermissionMap } from '../../graphql/permissions';

/** Who may ask for what in this module; the authorization issue narrows these per role. */
export const customerPermissions: PermissionMap = {
  Query: {
    me: hasRole('customer'),
    customer: isAuthenticated,
    customers: isAuthenticated,
    customerByBrandAccount: isAuthenticated,
  },
  Mutation: {
    upsertBrandAccount: isAuthenticated,
  },
  Customer: {
    id: allow,
    name: allow,
    email: allow,
    postalAddress: allow,
    brandAccounts: allow,
  },
  PersonName: allow,
  PostalAddress: allow,
  BrandAccount: allow,
  Membership: allow,
};
