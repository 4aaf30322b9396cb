import { type Connection } from 'mongoose';

import { type AuthenticatedViewer } from '../../auth/viewer';
import { type Clock } from '../../clock';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { runTransaction } from '../../db/transaction';
import { normalizeIdentifier } from '../../lib/identifier';
import { ConflictError, NotFoundError } from '../../graphql/errors';
import { queuePage } from '../../graphql/queue-page';
import { type QuoteLoaders } from '../quotes/quote.loaders';
import { type CustomerLoaders } from './customer.loaders';
import { type Customer } from './customer.type';
import { toCustomer } from './customer.service';
import { PossibleMatchStatus, type PossibleMatchRecord } from './possible-match.model';
import {
  type LinkAccountsArgs,
  type PossibleMatch,
  type PossibleMatchConnection,
  type PossibleMatchesArgs,
} from './possible-match.type';

export interface PossibleMatchServiceDeps {
  models: Models;
  connection: Connection;
  clock: Clock;
  loaders: Pick<CustomerLoaders, 'forgetCustomer'> & Pick<QuoteLoaders, 'forgetQuotesOf'>;
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

/** The staff queue of accounts kept apart from a customer with the same, unconfirmed, email. */
export class PossibleMatchService {
  constructor(private readonly deps: PossibleMatchServiceDeps) {}

  openMatches(args: PossibleMatchesArgs): Promise<PossibleMatchConnection> {
    const { PossibleMatch } = this.deps.models;
    return queuePage(PossibleMatch, { status: PossibleMatchStatus.OPEN }, args, toPossibleMatch);
  }

  /**
   * Moves the account to `customerId` and closes its open matches as LINKED by this staff
   * member. A customer left with no account hands its quotes on and records where it went.
   */
  async linkAccounts(args: LinkAccountsArgs, staff: AuthenticatedViewer): Promise<Customer> {
    const { BrandAccount, Customer, PossibleMatch, Quote } = this.deps.models;
    const accountId = normalizeIdentifier(args.accountId);
    const targetId = parseObjectId(args.customerId);
    const account = { brand: args.accountBrand, accountId };
    // What a run found is returned, never kept outside it: the body may run more than once.
    const { target, movedFrom } = await runTransaction(this.deps.connection, async (session) => {
      const linked = await BrandAccount.findOne(account).session(session).lean();
      if (!linked) throw new NotFoundError('No account has this brand and id', 'accountId');
      const customer = targetId && (await Customer.findById(targetId).session(session).lean());
      if (!customer) throw new NotFoundError('No customer has this id', 'customerId');
      const now = this.deps.clock.now();
      const sourceId = linked.customerId;
      const moved = !sourceId.equals(customer._id);
      if (moved) {
        await BrandAccount.updateOne(
          { _id: linked._id },
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
      return { target: customer, movedFrom: moved ? sourceId : undefined };
    });
    // Reads after this mutation in the same request must see the account and quotes moved.
    const { loaders } = this.deps;
    for (const customerId of [target._id, movedFrom]) {
      if (!customerId) continue;
      loaders.forgetCustomer(customerId.toHexString(), account);
      loaders.forgetQuotesOf(customerId.toHexString());
    }
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
