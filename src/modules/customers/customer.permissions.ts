import { allow } from 'graphql-shield';

import { brandOf, hasRole, viewerRule } from '../../auth/rules';
import { parseObjectId } from '../../db/object-id';
import { type PermissionMap } from '../../graphql/permissions';
import { type BrandAccountInput } from './customer.input';
import { type Customer } from './customer.type';
import { type Brand } from './brand';

/** The profile of the customer this field belongs to may be read by the caller. */
export const canReadCustomer = viewerRule<Customer>(
  'canReadCustomer',
  (_viewer, customer, _args, { access }) => access.canRead(customer.id),
);

const canLookUpCustomer = viewerRule<unknown, { id: string }>(
  'canLookUpCustomer',
  (viewer, _parent, { id }, { access }) =>
    viewer.role === 'staff' || (viewer.role === 'brand' && access.canRead(id)),
);

const canLookUpOwnBrandAccount = viewerRule<unknown, { brand: Brand }>(
  'canLookUpOwnBrandAccount',
  (viewer, _parent, args) => viewer.role === 'staff' || brandOf(viewer) === args.brand,
);

/**
 * A brand reports its own accounts only; naming a customer to link to is allowed only for a
 * customer the brand can already read, so a report can never be a way into another brand's data.
 */
const canReportBrandAccount = viewerRule<unknown, { input: BrandAccountInput }>(
  'canReportBrandAccount',
  async (viewer, _parent, { input }, { access }) =>
    brandOf(viewer) === input.brand &&
    // A malformed id names no one: the service refuses it as BAD_USER_INPUT.
    (input.customerId == null ||
      parseObjectId(input.customerId) === undefined ||
      (await access.canRead(input.customerId))),
);

const staffOnly = hasRole('staff');

/** Who may ask for what in this module: the README's permission table. */
export const customerPermissions: PermissionMap = {
  Query: {
    me: hasRole('customer'),
    customer: canLookUpCustomer,
    customers: hasRole('brand', 'staff'),
    customerByBrandAccount: canLookUpOwnBrandAccount,
    possibleMatches: staffOnly,
  },
  Mutation: {
    upsertBrandAccount: canReportBrandAccount,
    linkAccounts: staffOnly,
    dismissPossibleMatch: staffOnly,
  },
  Customer: {
    // Every Customer object comes from a guarded root field; its id is what the caller asked by.
    id: allow,
    name: canReadCustomer,
    email: canReadCustomer,
    postalAddress: canReadCustomer,
    // The service leaves out the accounts of other brands for a brand caller.
    brandAccounts: canReadCustomer,
  },
  PersonName: allow,
  PostalAddress: allow,
  BrandAccount: allow,
  Membership: allow,
  PossibleMatch: allow,
  PossibleMatchConnection: allow,
  PossibleMatchEdge: allow,
};
