import DataLoader from 'dataloader';
import { trusted, type Types } from 'mongoose';

import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { groupBy } from '../../lib/group-by';
import { type BrandPreferenceRecord } from './preference.model';

export interface PreferenceLoaders {
  /** Every brand's preference document of a customer; a write must clear its customer. */
  preferencesByCustomer: DataLoader<string, BrandPreferenceRecord[]>;
}

/** Fresh per request: a loader's cache must never outlive the request that filled it. */
export function createPreferenceLoaders(models: Models): PreferenceLoaders {
  return {
    preferencesByCustomer: new DataLoader(
      async (keys) => {
        const ids = keys.map(parseObjectId).filter((id): id is Types.ObjectId => id !== undefined);
        const found =
          ids.length === 0
            ? []
            : await models.BrandPreference.find({ customerId: trusted({ $in: ids }) }).lean();
        const byCustomer = groupBy(found, (record) => record.customerId.toHexString());
        return keys.map((key) => byCustomer.get(key.toLowerCase()) ?? []);
      },
      { cacheKeyFn: (key) => key.toLowerCase() },
    ),
  };
}
