import DataLoader from 'dataloader';
import { trusted, type Types } from 'mongoose';

import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { groupBy } from '../../lib/group-by';
import { type Brand } from './brand';
import { type BrandAccountRecord } from './brand-account.model';
import { type CustomerRecord } from './customer.model';

export interface BrandAccountKey {
  brand: Brand;
  accountId: string;
}

export interface CustomerLoaders {
  /** Keyed by the client's id string: malformed ids resolve to null without a query. */
  customerById: DataLoader<string, CustomerRecord | null>;
  accountsByCustomer: DataLoader<string, BrandAccountRecord[]>;
  accountByBrandAccountId: DataLoader<BrandAccountKey, BrandAccountRecord | null, string>;
}

function validIds(keys: readonly string[]): Types.ObjectId[] {
  return keys.map(parseObjectId).filter((id): id is Types.ObjectId => id !== undefined);
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createCustomerLoaders(models: Models): CustomerLoaders {
  return {
    customerById: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const found =
        ids.length === 0 ? [] : await models.Customer.find({ _id: trusted({ $in: ids }) }).lean();
      const byId = new Map(found.map((customer) => [customer._id.toHexString(), customer]));
      return keys.map((key) => byId.get(key.toLowerCase()) ?? null);
    }),
    accountsByCustomer: new DataLoader(async (keys) => {
      const ids = validIds(keys);
      const found =
        ids.length === 0
          ? []
          : await models.BrandAccount.find({ customerId: trusted({ $in: ids }) })
              .sort({ linkedAt: 1, _id: 1 })
              .lean();
      const byCustomer = groupBy(found, (account) => account.customerId.toHexString());
      return keys.map((key) => byCustomer.get(key.toLowerCase()) ?? []);
    }),
    accountByBrandAccountId: new DataLoader(
      async (keys) => {
        const found = await models.BrandAccount.find({
          $or: keys.map(({ brand, accountId }) => ({ brand, accountId })),
        }).lean();
        const byKey = new Map(found.map((account) => [accountKey(account), account]));
        return keys.map((key) => byKey.get(accountKey(key)) ?? null);
      },
      { cacheKeyFn: accountKey },
    ),
  };
}

function accountKey({ brand, accountId }: BrandAccountKey): string {
  return `${brand}\u0000${accountId}`;
}
