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

registerEnumType(QuoteProduct, {
  name: 'QuoteProduct',
  description: 'An insurance product John Lewis Finance quotes for',
  valuesConfig: {
    HOME: { description: 'Home insurance (buildings and contents)' },
    CAR: { description: 'Car insurance' },
    PET: { description: 'Pet insurance' },
    TRAVEL: { description: 'Travel insurance' },
    LIFE: { description: 'Life insurance' },
  },
});
registerEnumType(QuoteStatus, {
  name: 'QuoteStatus',
  description: 'Where a quote stands; every status but QUOTED is settled and never changes',
  valuesConfig: {
    QUOTED: { description: 'Offered and not yet taken up: may still move to any status' },
    PURCHASED: { description: 'The customer bought the policy (settled)' },
    EXPIRED: { description: 'Lapsed without a purchase (settled)' },
    DECLINED: { description: 'Turned down: no policy will follow (settled)' },
  },
});
