import { QuoteStatus } from '../quote.enums';

/** A bought, expired or declined quote is settled: the engine cannot report it as anything else. */
const SETTLED = new Set<QuoteStatus>([
  QuoteStatus.PURCHASED,
  QuoteStatus.EXPIRED,
  QuoteStatus.DECLINED,
]);

/**
 * Whether a quote may move from one status to another. A QUOTED quote may move to any status;
 * a settled one only stays as it is, so a late or replayed report cannot undo a purchase.
 */
export function canMoveStatus(from: QuoteStatus, to: QuoteStatus): boolean {
  return from === to || !SETTLED.has(from);
}
