import { allow } from 'graphql-shield';

import { isAuthenticated } from '../../auth/rules';
import { type PermissionMap } from '../../graphql/permissions';

/** Who may ask for what in this module; the authorization issue narrows these per role. */
export const quotePermissions: PermissionMap = {
  Mutation: {
    recordQuote: isAuthenticated,
  },
  Customer: {
    quotes: allow,
  },
  Quote: {
    id: allow,
    reference: allow,
    brand: allow,
    product: allow,
    status: allow,
    premium: allow,
    createdAt: allow,
    validUntil: allow,
  },
  QuoteConnection: allow,
  QuoteEdge: allow,
  PageInfo: allow,
  Money: allow,
};
