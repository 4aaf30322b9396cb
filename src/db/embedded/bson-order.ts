import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';

/** MongoDB's canonical type order for comparisons and sorting (missing sorts as null). */
function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  if (value instanceof MinKey) return 1;
  if (value instanceof MaxKey) return 13;
  if (typeof value === 'number' || value instanceof Long || value instanceof Decimal128) return 3;
  if (value instanceof Int32 || value instanceof Double) return 3;
  if (typeof value === 'bigint') return 3;
  if (typeof value === 'string' || value instanceof BSONSymbol) return 4;
  if (Array.isArray(value)) return 6;
  if (value instanceof Binary) return 7;
  if (value instanceof ObjectId) return 8;
  if (typeof value === 'boolean') return 9;
  if (value instanceof Date) return 10;
  if (value instanceof Timestamp) return 11;
  if (value instanceof RegExp || value instanceof BSONRegExp) return 12;
  return 5;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  if (value instanceof Int32 || value instanceof Double) return value.value;
  return Number.NaN;
}

function compareNumbers(a: number, b: number): number {
  // MongoDB orders NaN below every other number.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
  const length = Math.min(keysA.length, keysB.length);
  for (let i = 0; i < length; i++) {
    const rank = typeRank(a[keysA[i]]) - typeRank(b[keysB[i]]);
    if (rank !== 0) return rank;
    const name = compareStrings(keysA[i], keysB[i]);
    if (name !== 0) return name;
    const value = compareBson(a[keysA[i]], b[keysB[i]]);
    if (value !== 0) return value;
  }
  return keysA.length - keysB.length;
}

/** Compares two BSON values as MongoDB does for sorting and index order. */
export function compareBson(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank < 0 ? -1 : 1;
  switch (typeRank(a)) {
    case 3:
      return compareNumbers(toNumber(a), toNumber(b));
    case 4:
      return compareStrings(String(a), String(b));
    case 5:
      return Math.sign(compareObjects(a as Record<string, unknown>, b as Record<string, unknown>));
    case 6: {
      const left = a as unknown[];
      const right = b as unknown[];
      for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const order = compareBson(left[i], right[i]);
        if (order !== 0) return order;
      }
      return Math.sign(left.length - right.length);
    }
    case 7: {
      const left = a as Binary;
      const right = b as Binary;
      if (left.position !== right.position) return Math.sign(left.position - right.position);
      if (left.sub_type !== right.sub_type) return Math.sign(left.sub_type - right.sub_type);
      return Math.sign(compareBytes(left.buffer, right.buffer));
    }
    case 8:
      return Math.sign(compareBytes((a as ObjectId).id, (b as ObjectId).id));
    case 9:
      return Number(a) - Number(b);
    case 10:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as Timestamp).compare(b as Timestamp);
    case 12:
      return compareStrings(String(a), String(b));
    default:
      return 0;
  }
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal (1, 1.0 and
 * NumberLong(1) alike), used as the key of `_id` maps and unique indexes.
 */
export function canonicalKey(value: unknown): string {
  switch (typeRank(value)) {
    case 1:
      return 'm';
    case 2:
      return 'z';
    case 3: {
      const number = toNumber(value);
      return `n${Object.is(number, -0) ? 0 : number}`;
    }
    case 4:
      return `s${JSON.stringify(String(value))}`;
    case 5: {
      const object = value as Record<string, unknown>;
      const fields = Object.keys(object)
        .filter((key) => object[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${canonicalKey(object[key])}`);
      return `{${fields.join(',')}}`;
    }
    case 6:
      return `[${(value as unknown[]).map(canonicalKey).join(',')}]`;
    case 7: {
      const binary = value as Binary;
      return `B${binary.sub_type}:${Buffer.from(binary.buffer).toString('base64')}`;
    }
    case 8:
      return `o${(value as ObjectId).toHexString()}`;
    case 9:
      return value ? 'T' : 'F';
    case 10:
      return `d${(value as Date).getTime()}`;
    case 11:
      return `t${(value as Timestamp).toString()}`;
    case 12:
      return `r${String(value)}`;
    default:
      return 'M';
  }
}

/** Whether a value is a BSON scalar (not a plain embedded document or array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeRank(value) === 5;
}
