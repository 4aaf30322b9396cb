import { trusted, type Connection, type Types } from 'mongoose';

import { type AuthenticatedViewer } from '../../auth/viewer';
import { type Clock } from '../../clock';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { BadUserInputError, ConflictError, NotFoundError } from '../../graphql/errors';
import { type Customer } from './customer.type';
import { toCustomer } from './customer.service';
import { PossibleMatchStatus, type PossibleMatchRecord } from './possible-match.model';
import {
  MAX_MATCH_PAGE,
  type LinkAccountsArgs,
  type PossibleMatch,
  type PossibleMatchConnection,
  type PossibleMatchesArgs,
} from './possible-match.type';

export interface PossibleMatchServiceDeps {
  models: Models;
  connection: Connection;
  clock: Clock;
  /** Forgets every per-request cached value: a link moves accounts and quotes between customers. */
  forgetCachedReads(): void;
}

function toPossibleMatch(record: PossibleMatchRecord): PossibleMatch {
  return {
    id: record._id.toHexString(),
    brand: record.brand,
    accountId: record.accountId,
    customerId: record.customerId.toHexString(),
    candidateId: record.candidateId.toHexString(),
    detectedAt: record.detectedAt,
    status: record.status,
    resolvedBy: record.resolvedBy,
    resolvedAt: record.resolvedAt,
  };
}

const encodeMatchCursor = (id: Types.ObjectId) =>
  Buffer.from(id.toHexString()).toString('base64url');
const decodeMatchCursor = (cursor: string) =>
  parseObjectId(Buffer.from(cursor, 'base64url').toString('utf8'));

/** The staff queue of accounts kept apart from a customer with the same, unconfirmed, email. */
export class PossibleMatchService {
  constructor(private readonly deps: PossibleMatchServiceDeps) {}

  async openMatches({ first, after }: PossibleMatchesArgs): Promise<PossibleMatchConnection> {
    if (first < 1 || first > MAX_MATCH_PAGE) {
      throw new BadUserInputError('first', `must be between 1 and ${MAX_MATCH_PAGE}`);
    }
    const afterId = after ? decodeMatchCursor(after) : undefined;
    if (after && !afterId) throw new BadUserInputError('after', 'is not a cursor from this API');
    const records = await this.deps.models.PossibleMatch.find({
      status: PossibleMatchStatus.OPEN,
      ...(afterId ? { _id: trusted({ $gt: afterId }) } : {}),
    })
      .sort({ _id: 1 })
      .limit(first + 1)
      .lean();
    const edges = records.slice(0, first).map((record) => ({
      cursor: encodeMatchCursor(record._id),
      node: toPossibleMatch(record),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor },
    };
  }

  /**
   * Moves the account to `customerId` and closes its open matches as LINKED by this staff
   * member. A customer left with no account hands its quotes on and records where it went.
   */
  async linkAccounts(args: LinkAccountsArgs, staff: AuthenticatedViewer): Promise<Customer> {
    const { BrandAccount, Customer, PossibleMatch, Quote } = this.deps.models;
    const accountId = args.accountId.trim();
    const targetId = parseObjectId(args.customerId);
    const target = await this.deps.connection.transaction(async (session) => {
      const account = await BrandAccount.findOne({ brand: args.accountBrand, accountId })
        .session(session)
        .lean();
      if (!account) throw new NotFoundError('No account has this brand and id', 'accountId');
      const customer = targetId && (await Customer.findById(targetId).session(session).lean());
      if (!customer) throw new NotFoundError('No customer has this id', 'customerId');
      const now = this.deps.clock.now();
      const sourceId = account.customerId;
      if (!sourceId.equals(customer._id)) {
        await BrandAccount.updateOne(
          { _id: account._id },
          { $set: { customerId: customer._id, linkedAt: now, updatedAt: now } },
          { session },
        );
        const remaining = await BrandAccount.countDocuments({ customerId: sourceId }).session(
          session,
        );
        if (remaining === 0) {
          await Quote.updateMany(
            { customerId: sourceId },
            { $set: { customerId: customer._id, updatedAt: now } },
            { session },
          );
          await Customer.updateOne(
            { _id: sourceId },
            { $set: { mergedInto: customer._id, updatedAt: now } },
            { session },
          );
        }
      }
      await PossibleMatch.updateMany(
        { brand: args.accountBrand, accountId, status: PossibleMatchStatus.OPEN },
        {
          $set: { status: PossibleMatchStatus.LINKED, resolvedBy: staff.subject, resolvedAt: now },
        },
        { session },
      );
      return customer;
    });
    this.deps.forgetCachedReads();
    return toCustomer(target);
  }

  /** Closes an open match as two different people; dismissing it again changes nothing. */
  async dismiss(id: string, staff: AuthenticatedViewer): Promise<PossibleMatch> {
    const { PossibleMatch } = this.deps.models;
    const matchId = parseObjectId(id);
    const dismissed =
      matchId &&
      (await PossibleMatch.findOneAndUpdate(
        { _id: matchId, status: PossibleMatchStatus.OPEN },
        {
          $set: {
            status: PossibleMatchStatus.DISMISSED,
            resolvedBy: staff.subject,
            resolvedAt: this.deps.clock.now(),
          },
        },
        { returnDocument: 'after' },
      ).lean());
    if (dismissed) return toPossibleMatch(dismissed);
    const existing = matchId && (await PossibleMatch.findById(matchId).lean());
    if (!existing) throw new NotFoundError('No possible match has this id', 'id');
    if (existing.status === PossibleMatchStatus.LINKED) {
      throw new ConflictError('This possible match was already linked', 'id');
    }
    return toPossibleMatch(existing);
  }
}
