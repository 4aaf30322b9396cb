import { type Clock } from '../../clock';
import { type DateBounds } from '../../config';
import { retryOnDuplicateKey } from '../../db/duplicate-key';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { BadUserInputError, ConflictError, NotFoundError } from '../../graphql/errors';
import { parseInput } from '../../graphql/validation';
import { Brand } from '../customers/brand';
import { decodeCursor, encodeCursor } from './lib/cursor';
import { formatMinor } from './lib/money';
import { canMoveStatus } from './lib/status';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type QuotesArgs } from './quote.args';
import { type QuoteInput } from './quote.input';
import { type QuoteLoaders } from './quote.loaders';
import { type QuoteRecord } from './quote.model';
import { type Quote, type QuoteConnection } from './quote.type';
import { quoteInputSchema, type QuoteReport } from './quote.validation';

export interface QuoteServiceDeps {
  models: Models;
  loaders: QuoteLoaders;
  clock: Clock;
  dateBounds: DateBounds;
}

/** Every quote is sold by the group's insurer, whichever brand's site the customer came from. */
const QUOTE_BRAND = Brand.JOHN_LEWIS_FINANCE;
/**
 * How often a report is re-judged when other reports keep moving the quote under it; each
 * retry means another report was applied, so more than a few means a storm worth refusing.
 */
const CONCURRENT_UPDATE_ATTEMPTS = 3;

export function toQuote(record: QuoteRecord): Quote {
  return {
    id: record._id.toHexString(),
    reference: record.reference,
    brand: record.brand,
    product: record.product,
    status: record.status,
    premium: { amount: formatMinor(record.premium.amountMinor), currency: record.premium.currency },
    createdAt: record.createdAt,
    validUntil: record.validUntil,
  };
}

export class QuoteService {
  constructor(private readonly deps: QuoteServiceDeps) {}

  /** A page of the customer's quotes, newest first. */
  async quotesOf(customerId: string, args: QuotesArgs): Promise<QuoteConnection> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (first < 1 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const after = args.after ? decodeCursor(args.after) : undefined;
    if (args.after && !after) {
      throw new BadUserInputError('after', 'is not a cursor from this API');
    }
    const countKey = {
      customerId,
      product: args.product ?? undefined,
      status: args.status ?? undefined,
    };
    const page = await this.deps.loaders.quotePage.load({ ...countKey, first, after });
    // Cursors are getters: most clients never ask for one, and encoding each costs.
    const edges = page.quotes.map((record) => ({
      get cursor() {
        return encodeCursor({ createdAt: record.createdAt, id: record._id });
      },
      node: toQuote(record),
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        get endCursor() {
          return edges.at(-1)?.cursor;
        },
      },
      countKey,
    };
  }

  totalCount(connection: QuoteConnection): Promise<number> {
    return this.deps.loaders.quoteCount.load(connection.countKey);
  }

  /**
   * Idempotent on (brand, reference): the first report records the quote, a later one may move
   * its status and validity on; what made the quote (customer, product, premium, date) is fixed.
   */
  async recordQuote(input: QuoteInput): Promise<Quote> {
    const { clock, dateBounds, loaders } = this.deps;
    const report = parseInput(quoteInputSchema(clock.now(), dateBounds), input, 'input');
    const customerId = parseObjectId(report.customerId);
    const customer =
      customerId && (await this.deps.models.Customer.exists({ _id: customerId }).lean());
    if (!customerId || !customer) {
      throw new NotFoundError('No customer has this id', 'input.customerId');
    }
    // Two reports of a new reference may race; the loser's retry finds the winner's quote.
    const quote = await retryOnDuplicateKey(() => this.applyReport(report));
    loaders.forgetQuotesOf(report.customerId);
    return quote;
  }

  private async applyReport(
    report: QuoteReport,
    attemptsLeft = CONCURRENT_UPDATE_ATTEMPTS,
  ): Promise<Quote> {
    const { Quote } = this.deps.models;
    const now = this.deps.clock.now();
    const key = { brand: QUOTE_BRAND, reference: report.reference };
    const known = await Quote.findOne(key).lean();
    if (!known) {
      const [created] = await Quote.create([
        {
          ...key,
          customerId: parseObjectId(report.customerId),
          product: report.product,
          status: report.status,
          premium: { amountMinor: report.premium.amount, currency: report.premium.currency },
          createdAt: report.createdAt,
          validUntil: report.validUntil,
          recordedAt: now,
          updatedAt: now,
        },
      ]);
      return toQuote(created.toObject());
    }

    const fixed: [string, boolean][] = [
      ['input.customerId', known.customerId.toHexString() === report.customerId],
      ['input.product', known.product === report.product],
      [
        'input.premium.amount',
        known.premium.amountMinor === report.premium.amount &&
          known.premium.currency === report.premium.currency,
      ],
      ['input.createdAt', known.createdAt.getTime() === report.createdAt.getTime()],
    ];
    const changed = fixed.find(([, same]) => !same);
    if (changed) {
      throw new ConflictError(
        `Quote ${report.reference} was recorded with a different ${changed[0].slice(6)}`,
        changed[0],
      );
    }
    if (!canMoveStatus(known.status, report.status)) {
      throw new ConflictError(
        `Quote ${report.reference} is ${known.status} and cannot become ${report.status}`,
        'input.status',
      );
    }
    if (
      known.status === report.status &&
      known.validUntil.getTime() === report.validUntil.getTime()
    ) {
      return toQuote(known);
    }
    // Only while the quote is still as read: a report applied meanwhile (a purchase, say) must
    // be judged against what the quote is now, never written over.
    const updated = await Quote.findOneAndUpdate(
      { _id: known._id, status: known.status, validUntil: known.validUntil },
      { $set: { status: report.status, validUntil: report.validUntil, updatedAt: now } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toQuote(updated);
    if (attemptsLeft <= 1) {
      throw new ConflictError(
        `Quote ${report.reference} is being changed by concurrent reports; retry`,
        'input.reference',
      );
    }
    return this.applyReport(report, attemptsLeft - 1);
  }
}
