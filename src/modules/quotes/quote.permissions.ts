import { allow } from 'graphql-shield';

import { brandOf, viewerRule } from '../../auth/rules';
import { type PermissionMap } from '../../graphql/permissions';
import { Brand } from '../customers/brand';
import { type Customer } from '../customers/customer.type';

/** Quotes are the insurer's: only John Lewis Finance's quote engine reports them. */
const isInsurer = viewerRule('isInsurer', (viewer) => brandOf(viewer) === Brand.JOHN_LEWIS_FINANCE);

const canReadQuotes = viewerRule<Customer>(
  'canReadQuotes',
  (_viewer, customer, _args, { access }) => access.canReadQuotes(customer.id),
);

/** Who may ask for what in this module: the README's permission table. */
export const quotePermissions: PermissionMap = {
  Mutation: {
    recordQuote: isInsurer,
  },
  Customer: {
    quotes: canReadQuotes,
  },
  // Quotes are reached only through the guarded fields above.
  Quote: allow,
  QuoteConnection: allow,
  QuoteEdge: allow,
  PageInfo: allow,
  Money: allow,
};
