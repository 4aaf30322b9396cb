import DataLoader from 'dataloader';
import { trusted, type Types } from 'mongoose';

import { type Models } from '../../db/models';
import { objectIdKey, parseObjectId } from '../../db/object-id';
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
  customerById: DataLoader<string, CustomerRecord | null, string>;
  accountsByCustomer: DataLoader<string, BrandAccountRecord[], string>;
  accountByBrandAccountId: DataLoader<BrandAccountKey, BrandAccountRecord | null, string>;
  /**
   * What a write to a customer or one of their accounts makes stale in this request: every
   * write of this module calls it, and a new loader of this module is forgotten here too.
   * Loyalty reads its memberships through `accountsByCustomer`, so it is covered.
   */
  forgetCustomer(customerId: string, account: BrandAccountKey): void;
}

function validIds(keys: readonly string[]): Types.ObjectId[] {
  return keys.map(parseObjectId).filter((id): id is Types.ObjectId => id !== undefined);
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createCustomerLoaders(models: Models): CustomerLoaders {
  const customerById = new DataLoader<string, CustomerRecord | null, string>(
    async (keys) => {
      const ids = validIds(keys);
      const found =
        ids.length === 0 ? [] : await models.Customer.find({ _id: trusted({ $in: ids }) }).lean();
      const byId = new Map(found.map((customer) => [customer._id.toHexString(), customer]));
      return keys.map((key) => byId.get(objectIdKey(key)) ?? null);
    },
    { cacheKeyFn: objectIdKey },
  );
  const accountsByCustomer = new DataLoader<string, BrandAccountRecord[], string>(
    async (keys) => {
      const ids = validIds(keys);
      const found =
        ids.length === 0
          ? []
          : await models.BrandAccount.find({ customerId: trusted({ $in: ids }) })
              .sort({ linkedAt: 1, _id: 1 })
              .lean();
      const byCustomer = groupBy(found, (account) => account.customerId.toHexString());
      return keys.map((key) => byCustomer.get(objectIdKey(key)) ?? []);
    },
    { cacheKeyFn: objectIdKey },
  );
  const accountByBrandAccountId = new DataLoader<
    BrandAccountKey,
    BrandAccountRecord | null,
    string
  >(
    async (keys) => {
      const found = await models.BrandAccount.find({
        $or: keys.map(({ brand, accountId }) => ({ brand, accountId })),
      }).lean();
      const byKey = new Map(found.map((account) => [accountKey(account), account]));
      return keys.map((key) => byKey.get(accountKey(key)) ?? null);
    },
    { cacheKeyFn: accountKey },
  );
  return {
    customerById,
    accountsByCustomer,
    accountByBrandAccountId,
    forgetCustomer: (customerId, account) => {
      customerById.clear(customerId);
      accountsByCustomer.clear(customerId);
      accountByBrandAccountId.clear(account);
    },
  };
}

function accountKey({ brand, accountId }: BrandAccountKey): string {
  return `${brand}\u0000${accountId}`;
}
