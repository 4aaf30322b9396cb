import { recordBatches } from '../support/cursor-batches';
import { useTestDatabase } from '../support/test-database';
import { traced } from '../support/transcript';

const database = useTestDatabase('aggregation');

const SALES = [
  { _id: 1, item: 'abc', price: 10, quantity: 2, day: 1 },
  { _id: 2, item: 'jkl', price: 20, quantity: 1, day: 1 },
  { _id: 3, item: 'xyz', price: 5, quantity: 10, day: 2 },
  { _id: 4, item: 'xyz', price: 5, quantity: 20, day: 2 },
  { _id: 5, item: 'abc', price: 10, quantity: 10, day: 3 },
  { _id: 6, item: 'def', price: 7.5, quantity: 5, day: 3 },
];

async function sales() {
  const collection = database.collection('sales');
  await collection.insertMany(SALES.map((sale) => ({ ...sale })));
  return collection;
}

/** Orders of customers 1 and 2, for the $lookup tests. */
const ORDERS = [
  { _id: 10, customerId: 1, total: 5 },
  { _id: 11, customerId: 2, total: 7 },
  { _id: 12, customerId: 1, total: 9 },
];

describe('$match, $group and accumulators', () => {
  it(
    'groups with $sum, $avg, $min, $max, $push, $addToSet and $first',
    traced(async () => {
      const collection = await sales();
      const groups = await collection
        .aggregate([
          { $match: { quantity: { $gte: 2 } } },
          { $sort: { _id: 1 } },
          {
            $group: {
              _id: '$day',
              revenue: { $sum: { $multiply: ['$price', '$quantity'] } },
              count: { $sum: 1 },
              averageQuantity: { $avg: '$quantity' },
              cheapest: { $min: '$price' },
              dearest: { $max: '$price' },
              ids: { $push: '$_id' },
              items: { $addToSet: '$item' },
              firstItem: { $first: '$item' },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups.map((group) => ({ ...group, items: [...group.items].sort() }))).toEqual([
        {
          _id: 1,
          revenue: 20,
          count: 1,
          averageQuantity: 2,
          cheapest: 10,
          dearest: 10,
          ids: [1],
          items: ['abc'],
          firstItem: 'abc',
        },
        {
          _id: 2,
          revenue: 150,
          count: 2,
          averageQuantity: 15,
          cheapest: 5,
          dearest: 5,
          ids: [3, 4],
          items: ['xyz'],
          firstItem: 'xyz',
        },
        {
          _id: 3,
          revenue: 137.5,
          count: 2,
          averageQuantity: 7.5,
          cheapest: 7.5,
          dearest: 10,
          ids: [5, 6],
          items: ['abc', 'def'],
          firstItem: 'abc',
        },
      ]);
    }),
  );

  it(
    '$firstN keeps the first n documents of each group in the order of a preceding $sort',
    traced(async () => {
      const collection = await sales();
      const groups = await collection
        .aggregate([
          { $sort: { item: 1, quantity: -1 } },
          { $group: { _id: '$item', largest: { $firstN: { input: '$$ROOT', n: 2 } } } },
          { $project: { ids: '$largest._id' } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups).toEqual([
        { _id: 'abc', ids: [5, 1] },
        { _id: 'def', ids: [6] },
        { _id: 'jkl', ids: [2] },
        { _id: 'xyz', ids: [4, 3] },
      ]);
    }),
  );

  it(
    'groups everything under _id: null',
    traced(async () => {
      const collection = await sales();
      const [total] = await collection
        .aggregate([{ $group: { _id: null, quantity: { $sum: '$quantity' }, n: { $sum: 1 } } }])
        .toArray();
      expect(total).toEqual({ _id: null, quantity: 48, n: 6 });
    }),
  );
});

describe('reshaping stages', () => {
  it(
    '$project includes, renames and computes; $addFields keeps the rest',
    traced(async () => {
      const collection = await sales();
      const projected = await collection
        .aggregate([
          { $match: { _id: { $in: [1, 6] } } },
          { $sort: { _id: 1 } },
          {
            $project: {
              _id: 0,
              item: 1,
              name: '$item',
              total: { $multiply: ['$price', '$quantity'] },
              big: { $gte: ['$quantity', 5] },
            },
          },
        ])
        .toArray();
      expect(projected).toEqual([
        { item: 'abc', name: 'abc', total: 20, big: false },
        { item: 'def', name: 'def', total: 37.5, big: true },
      ]);
      const [added] = await collection
        .aggregate([
          { $match: { _id: 2 } },
          {
            $addFields: {
              total: { $multiply: ['$price', '$quantity'] },
              label: { $toUpper: '$item' },
            },
          },
        ])
        .toArray();
      expect(added).toEqual({ ...SALES[1], total: 20, label: 'JKL' });
    }),
  );

  it(
    '$sort, $skip and $limit page through the results',
    traced(async () => {
      const collection = await sales();
      const page = await collection
        .aggregate([{ $sort: { quantity: -1, _id: 1 } }, { $skip: 1 }, { $limit: 3 }])
        .toArray();
      expect(page.map((sale) => sale._id)).toEqual([3, 5, 6]);
    }),
  );

  it(
    '$count counts the documents that reach it, and outputs nothing for none',
    traced(async () => {
      const collection = await sales();
      expect(
        await collection.aggregate([{ $match: { item: 'xyz' } }, { $count: 'sold' }]).toArray(),
      ).toEqual([{ sold: 2 }]);
      expect(
        await collection.aggregate([{ $match: { item: 'none' } }, { $count: 'sold' }]).toArray(),
      ).toEqual([]);
    }),
  );

  it(
    '$facet runs several pipelines over the same input',
    traced(async () => {
      const collection = await sales();
      const [facets] = await collection
        .aggregate([
          {
            $facet: {
              cheap: [{ $match: { price: { $lt: 10 } } }, { $count: 'n' }],
              top: [{ $sort: { quantity: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }],
              none: [{ $match: { price: { $gt: 1000 } } }],
            },
          },
        ])
        .toArray();
      expect(facets).toEqual({ cheap: [{ n: 3 }], top: [{ _id: 4 }], none: [] });
    }),
  );
});

describe('$unwind', () => {
  const SHIRTS = [
    { _id: 1, item: 'ABC', sizes: ['S', 'M', 'L'] },
    { _id: 2, item: 'EFG', sizes: [] },
    { _id: 3, item: 'IJK', sizes: 'M' },
    { _id: 4, item: 'LMN' },
    { _id: 5, item: 'XYZ', sizes: null },
  ];

  async function shirts() {
    const collection = database.collection('shirts');
    await collection.insertMany(SHIRTS.map((shirt) => ({ ...shirt })));
    return collection;
  }

  it(
    'emits one document per element, treating a non-array as one element',
    traced(async () => {
      const collection = await shirts();
      const unwound = await collection
        .aggregate([{ $unwind: '$sizes' }, { $sort: { _id: 1 } }])
        .toArray();
      expect(unwound).toEqual([
        { _id: 1, item: 'ABC', sizes: 'S' },
        { _id: 1, item: 'ABC', sizes: 'M' },
        { _id: 1, item: 'ABC', sizes: 'L' },
        { _id: 3, item: 'IJK', sizes: 'M' },
      ]);
    }),
  );

  it(
    'preserveNullAndEmptyArrays keeps documents with null, missing or empty arrays',
    traced(async () => {
      const collection = await shirts();
      const unwound = await collection
        .aggregate([
          { $unwind: { path: '$sizes', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
          { $sort: { _id: 1, i: 1 } },
        ])
        .toArray();
      expect(unwound).toEqual([
        { _id: 1, item: 'ABC', sizes: 'S', i: 0 },
        { _id: 1, item: 'ABC', sizes: 'M', i: 1 },
        { _id: 1, item: 'ABC', sizes: 'L', i: 2 },
        { _id: 2, item: 'EFG', i: null },
        { _id: 3, item: 'IJK', sizes: 'M', i: null },
        { _id: 4, item: 'LMN', i: null },
        { _id: 5, item: 'XYZ', sizes: null, i: null },
      ]);
    }),
  );
});

describe('$lookup', () => {
  it(
    'joins documents of another collection in the same database',
    traced(async () => {
      const customers = database.collection('customers');
      const orders = database.collection('orders');
      await customers.insertMany([
        { _id: 1, name: 'Ada' },
        { _id: 2, name: 'Grace' },
        { _id: 3, name: 'Edsger' },
      ]);
      await orders.insertMany(ORDERS);
      const joined = await customers
        .aggregate([
          {
            $lookup: {
              from: orders.collectionName,
              localField: '_id',
              foreignField: 'customerId',
              as: 'orders',
            },
          },
          { $addFields: { spent: { $sum: '$orders.total' }, orderIds: '$orders._id' } },
          { $project: { orders: 0 } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(joined.map((row) => ({ ...row, orderIds: [...row.orderIds].sort() }))).toEqual([
        { _id: 1, name: 'Ada', spent: 14, orderIds: [10, 12] },
        { _id: 2, name: 'Grace', spent: 7, orderIds: [11] },
        { _id: 3, name: 'Edsger', spent: 0, orderIds: [] },
      ]);
    }),
  );

  it(
    'joins with a pipeline and let variables',
    traced(async () => {
      const customers = database.collection('customers');
      const orders = database.collection('orders');
      await customers.insertMany([
        { _id: 1, name: 'Ada', minimum: 6 },
        { _id: 2, name: 'Grace', minimum: 1 },
      ]);
      await orders.insertMany(ORDERS);
      const joined = await customers
        .aggregate([
          {
            $lookup: {
              from: orders.collectionName,
              let: { customer: '$_id', minimum: '$minimum' },
              pipeline: [
                {
                  $match: {
                    $expr: {
                      $and: [
                        { $eq: ['$customerId', '$$customer'] },
                        { $gte: ['$total', '$$minimum'] },
                      ],
                    },
                  },
                },
                { $project: { _id: 1 } },
              ],
              as: 'bigOrders',
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(joined).toEqual([
        { _id: 1, name: 'Ada', minimum: 6, bigOrders: [{ _id: 12 }] },
        { _id: 2, name: 'Grace', minimum: 1, bigOrders: [{ _id: 11 }] },
      ]);
    }),
  );
});

describe('aggregate cursors', () => {
  it(
    'a small batchSize returns every result in order across several getMores',
    traced(async () => {
      const collection = database.collection();
      await collection.insertMany(Array.from({ length: 11 }, (_unused, index) => ({ _id: index })));
      const { result, batches, getMores } = await recordBatches(database.client, () =>
        collection
          .aggregate(
            [{ $sort: { _id: -1 } }, { $project: { _id: 1, double: { $multiply: ['$_id', 2] } } }],
            { batchSize: 2 },
          )
          .toArray(),
      );
      expect(result).toEqual(
        Array.from({ length: 11 }, (_unused, index) => ({
          _id: 10 - index,
          double: 20 - 2 * index,
        })),
      );
      // 11 results, at most 2 a batch: the first batch plus at least 5 getMores.
      expect(getMores.length).toBeGreaterThanOrEqual(5);
      expect(batches.filter((batch) => batch.size > 2)).toEqual([]);
    }),
  );
});
