import { registerEnumType } from 'type-graphql';

export enum QuoteProduct {
  HOME = 'HOME',
  CAR = 'CAR',
  PET = 'PET',
  TRAVEL = 'TRAVEL',
  LIFE = 'LIFE',
}

export enum QuoteStatus {
  QUOTED = 'QUOTED',
  PURCHASED = 'PURCHASED',
  EXPIRED = 'EXPIRED',
  DECLINED = 'DECLINED',
}

registerEnumType(QuoteProduct, { name: 'QuoteProduct', description: 'An insurance product' });
registerEnumType(QuoteStatus, { name: 'QuoteStatus', description: 'Where a quote stands' });
