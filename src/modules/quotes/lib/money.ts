/** Up to 13 digits of pounds keeps every amount in pence a safe integer. */
const DECIMAL_AMOUNT = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** "182.4" → 18240, or undefined when not a non-negative amount with at most two decimals. */
export function parseAmountToMinor(amount: string): number | undefined {
  const match = DECIMAL_AMOUNT.exec(amount.trim());
  if (!match) return undefined;
  const [, units, fraction = ''] = match;
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 18240 → "182.40": built from integers, so no float rounding can creep in. */
export function formatMinor(amountMinor: number): string {
  const units = Math.trunc(amountMinor / 100);
  const fraction = String(amountMinor % 100).padStart(2, '0');
  return `${units}.${fraction}`;
}
