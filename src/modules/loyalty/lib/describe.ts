import { formatCalendarDate, ukDateOf } from '../../../calendar';
import { SCHEME_BRAND, SCHEME_LABEL, type Brand } from '../../customers/brand';
import { type QuoteProduct } from '../../quotes/quote.enums';
import { type Grounds } from './evaluate';

/** What of a customer's evidence the viewer may read (see `evidenceVisibility`). */
export interface EvidenceVisibility {
  /** Quote references, products bought and dates of purchase. */
  quotes: boolean;
  /** A membership's number and start date, by the brand whose account holds it. */
  membershipsOf(brand: Brand): boolean;
}

/** "car", "car and home", "car, home and pet". */
function listOf(products: readonly QuoteProduct[]): string {
  const names = products.map((product) => product.toLowerCase());
  const last = names.pop();
  return names.length === 0 ? String(last) : `${names.join(', ')} and ${last}`;
}

/**
 * The one place a discount's reason is put into words. It names each product once and only the
 * most recent purchase, so its length is bounded however many quotes a customer holds, and it
 * says no more than the viewer may read: a hidden purchase becomes "a John Lewis Finance
 * policy", a hidden membership loses its date.
 */
export function describeGrounds(grounds: Grounds, visibility: EvidenceVisibility): string {
  if (grounds.kind === 'membership') {
    const scheme = SCHEME_LABEL[grounds.scheme];
    if (visibility.membershipsOf(SCHEME_BRAND[grounds.scheme])) {
      return `${scheme} member since ${formatCalendarDate(grounds.since)}`;
    }
    const length = grounds.minimumYears > 0 ? ` of ${grounds.minimumYears} years or more` : '';
    return `holds a ${scheme} membership${length}`;
  }
  if (!visibility.quotes) return 'holds a John Lewis Finance policy';
  const { latest } = grounds;
  return (
    `holds ${listOf(grounds.products)} insurance (latest: ${latest.product.toLowerCase()} ` +
    `insurance bought ${formatCalendarDate(ukDateOf(latest.createdAt))}, ` +
    `quote ${latest.reference})`
  );
}
