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

/** The exact value of an integral number, when it is one (an int64 may exceed 2^53). */
function exactInteger(value: unknown): bigint | undefined {
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'bigint') return value;
  const number = toNumber(value);
  return Number.isInteger(number) ? BigInt(number) : undefined;
}

/** The key of a double: integers spelled out exactly, so that an int64 of equal value matches. */
function doubleKey(number: number): string {
  if (Number.isSafeInteger(number)) return `n${Object.is(number, -0) ? 0 : number}`;
  return Number.isInteger(number) ? `n${BigInt(number)}` : `n${number}`;
}

/** A double as numerator / 2^exponent, both exact. */
function binaryFraction(number: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(number));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & 0xfffffffffffffn) | (biased === 0 ? 0n : 1n << 52n);
  return [mantissa, BigInt(1075 - Math.max(biased, 1))];
}

/**
 * The key of a Decimal128: its exact value, equal to a double's key only when the double has
 * exactly that value (decimal 0.5 is double 0.5; decimal 0.1 is no double).
 */
function decimalKey(decimal: Decimal128): string {
  const text = decimal.toString();
  const parsed = /^(-?)(\d+)(?:\.(\d+))?(?:E([+-]\d+))?$/.exec(text);
  if (!parsed) return `n${text.replace(/^-(?=NaN)/, '')}`;
  const [, sign, whole, fraction = '', exponent = '0'] = parsed;
  let digits = (whole + fraction).replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  if (digits === '') return 'n0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    power++;
  }
  if (power >= 0) return `n${sign}${digits}${'0'.repeat(power)}`;
  const number = Number(text);
  if (Number.isFinite(number) && number !== 0) {
    const [numerator, twos] = binaryFraction(number);
    if (BigInt(digits) * 2n ** twos === numerator * 10n ** BigInt(-power)) return doubleKey(number);
  }
  return `nd${sign}${digits}E${power}`;
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

/** Orders two strings; binary unless a collation says otherwise. */
export type StringOrder = (a: string, b: string) => number;

function compareObjects(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  strings: StringOrder,
): number {
  const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
  const length = Math.min(keysA.length, keysB.length);
  for (let i = 0; i < length; i++) {
    const rank = typeRank(a[keysA[i]]) - typeRank(b[keysB[i]]);
    if (rank !== 0) return rank;
    const name = compareStrings(keysA[i], keysB[i]);
    if (name !== 0) return name;
    const value = compareBson(a[keysA[i]], b[keysB[i]], strings);
    if (value !== 0) return value;
  }
  return keysA.length - keysB.length;
}

/** Compares two BSON values as MongoDB does for sorting and index order. */
export function compareBson(a: unknown, b: unknown, strings: StringOrder = compareStrings): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank < 0 ? -1 : 1;
  switch (typeRank(a)) {
    case 3: {
      // Past 2^53 an int64 has no exact double: compare such values as integers.
      if (
        a instanceof Long ||
        b instanceof Long ||
        typeof a === 'bigint' ||
        typeof b === 'bigint'
      ) {
        const left = exactInteger(a);
        const right = exactInteger(b);
        if (left !== undefined && right !== undefined) {
          return left < right ? -1 : left > right ? 1 : 0;
        }
      }
      return compareNumbers(toNumber(a), toNumber(b));
    }
    case 4:
      return Math.sign(strings(String(a), String(b)));
    case 5:
      return Math.sign(
        compareObjects(a as Record<string, unknown>, b as Record<string, unknown>, strings),
      );
    case 6: {
      const left = a as unknown[];
      const right = b as unknown[];
      for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const order = compareBson(left[i], right[i], strings);
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
 * NumberLong(1) alike, but not NumberLong(2^53 + 1) and 2^53), used as the key of `_id` maps and
 * unique indexes.
 */
export function canonicalKey(value: unknown): string {
  switch (typeRank(value)) {
    case 1:
      return 'm';
    case 2:
      return 'z';
    case 3:
      if (value instanceof Long) return `n${value.toBigInt()}`;
      if (typeof value === 'bigint') return `n${value}`;
      if (value instanceof Decimal128) return decimalKey(value);
      return doubleKey(toNumber(value));
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
