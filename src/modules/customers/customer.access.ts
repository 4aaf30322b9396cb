import { brandOf } from '../../auth/rules';
import { isAuthenticated, type Viewer } from '../../auth/viewer';
import { objectIdKey } from '../../db/object-id';
import { Brand } from './brand';

/** What the access policy reads; per-request DataLoaders, so a check costs no extra round trip. */
export interface CustomerAccessSources {
  accountBrandsOf(customerId: string): Promise<Brand[]>;
  hasQuotes(customerId: string): Promise<boolean>;
}

/**
 * Which customers, accounts and quote histories one viewer may read: the permission table of
 * the README, written once. Shield rules ask it before a field resolves; services ask it only
 * to leave out what a list must not show (another brand's accounts, a customer in `customers`).
 *
 * For a brand, an unknown customer and another brand's customer look the same (not readable),
 * so a brand cannot probe who shops elsewhere in the group.
 */
export class CustomerAccess {
  constructor(
    private readonly viewer: Viewer,
    private readonly sources: CustomerAccessSources,
  ) {}

  /** The customer is the caller themselves, however the client spelled the id. */
  isSelf(customerId: string): boolean {
    return this.viewer.role === 'customer' && sameId(this.viewer.subject, customerId);
  }

  /** May read the customer's profile: themselves, staff, or a brand the customer deals with. */
  async canRead(customerId: string): Promise<boolean> {
    if (!isAuthenticated(this.viewer)) return false;
    if (this.viewer.role === 'staff') return true;
    if (this.viewer.role === 'customer') return this.isSelf(customerId);
    const brand = brandOf(this.viewer);
    if (!brand) return false;
    const brands = await this.sources.accountBrandsOf(customerId);
    if (brands.includes(brand)) return true;
    // The insurer also serves people who asked it for a quote through another brand's site.
    return brand === Brand.JOHN_LEWIS_FINANCE && this.sources.hasQuotes(customerId);
  }

  /** May read the customer's quote history: themselves, staff, or the insurer. */
  async canReadQuotes(customerId: string): Promise<boolean> {
    if (this.viewer.role === 'customer' || this.viewer.role === 'staff') {
      return this.canRead(customerId);
    }
    return this.canReadAsBrand(Brand.JOHN_LEWIS_FINANCE, customerId);
  }

  /**
   * May see what the customer's account at `brand` holds (its id, email, membership): the
   * customer, staff, and that brand itself.
   */
  canSeeAccountOf(brand: Brand): boolean {
    if (this.viewer.role === 'customer' || this.viewer.role === 'staff') return true;
    return isAuthenticated(this.viewer) && brandOf(this.viewer) === brand;
  }

  /** The caller is `brand`'s backend and may read the customer. */
  async canReadAsBrand(brand: Brand, customerId: string): Promise<boolean> {
    return (
      isAuthenticated(this.viewer) &&
      brandOf(this.viewer) === brand &&
      (await this.canRead(customerId))
    );
  }
}

function sameId(left: string, right: string): boolean {
  return objectIdKey(left) === objectIdKey(right);
}
