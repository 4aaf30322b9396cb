import { registerEnumType } from 'type-graphql';

/** The group's brands; a quote is always sold by JOHN_LEWIS_FINANCE, the group's insurer. */
export enum Brand {
  JOHN_LEWIS = 'JOHN_LEWIS',
  WAITROSE = 'WAITROSE',
  JOHN_LEWIS_FINANCE = 'JOHN_LEWIS_FINANCE',
}

export enum MembershipScheme {
  MY_JOHN_LEWIS = 'MY_JOHN_LEWIS',
  MY_WAITROSE = 'MY_WAITROSE',
}

/** Which brand runs each membership scheme: a Waitrose account cannot carry my John Lewis. */
export const SCHEME_BRAND: Record<MembershipScheme, Brand> = {
  [MembershipScheme.MY_JOHN_LEWIS]: Brand.JOHN_LEWIS,
  [MembershipScheme.MY_WAITROSE]: Brand.WAITROSE,
};

/** How a scheme is named to people, in reasons and descriptions. */
export const SCHEME_LABEL: Record<MembershipScheme, string> = {
  [MembershipScheme.MY_JOHN_LEWIS]: 'my John Lewis',
  [MembershipScheme.MY_WAITROSE]: 'my Waitrose',
};

registerEnumType(Brand, {
  name: 'Brand',
  description: 'A brand of the group: each keeps its own accounts and contact preferences',
  valuesConfig: {
    JOHN_LEWIS: { description: 'John Lewis, the department stores and johnlewis.com' },
    WAITROSE: { description: 'Waitrose, the supermarkets and waitrose.com' },
    JOHN_LEWIS_FINANCE: {
      description: "John Lewis Finance, the group's insurer: the seller of every quote",
    },
  },
});
registerEnumType(MembershipScheme, {
  name: 'MembershipScheme',
  description: "A brand's loyalty membership scheme",
  valuesConfig: {
    MY_JOHN_LEWIS: { description: 'my John Lewis, held on a John Lewis account' },
    MY_WAITROSE: { description: 'my Waitrose, held on a Waitrose account' },
  },
});
