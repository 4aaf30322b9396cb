import { type Viewer } from '../../../auth/viewer';
import { objectIdKey } from '../../../db/object-id';
import { Brand } from '../../customers/brand';
import { type EvidenceVisibility } from './describe';

/**
 * What evidence behind a customer's discounts `viewer` may read. Quotes: the customer
 * themselves, staff, and John Lewis Finance (whose quotes they are). A membership: the
 * customer, staff, and the brand whose account holds it. Everyone else sees that a discount
 * applies, not the evidence.
 */
export function evidenceVisibility(viewer: Viewer, customerId: string): EvidenceVisibility {
  const everything =
    viewer.role === 'staff' ||
    (viewer.role === 'customer' && objectIdKey(viewer.subject) === objectIdKey(customerId));
  const brand = viewer.role === 'brand' ? viewer.brand : undefined;
  return {
    quotes: everything || brand === Brand.JOHN_LEWIS_FINANCE,
    membershipsOf: (holder) => everything || brand === holder,
  };
}
