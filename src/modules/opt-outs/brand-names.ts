import { Brand } from '../customers/brand';

/** How each brand is named to the people it writes to. */
export const BRAND_NAME: Record<Brand, string> = {
  [Brand.JOHN_LEWIS]: 'John Lewis',
  [Brand.WAITROSE]: 'Waitrose',
  [Brand.JOHN_LEWIS_FINANCE]: 'John Lewis Finance',
};

/** Where each brand's My Account lives. */
export const BRAND_WEBSITE: Record<Brand, string> = {
  [Brand.JOHN_LEWIS]: 'johnlewis.com',
  [Brand.WAITROSE]: 'waitrose.com',
  [Brand.JOHN_LEWIS_FINANCE]: 'johnlewisfinance.com',
};
