import { trusted, type ClientSession, type Connection, type Types } from 'mongoose';

import { type Viewer } from '../../auth/viewer';
import { type Clock } from '../../clock';
import { type DateBounds } from '../../config';
import { retryOnDuplicateKey } from '../../db/duplicate-key';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { runTransaction } from '../../db/transaction';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../../graphql/errors';
import { parseInput } from '../../graphql/validation';
import { type Brand } from './brand';
import { type BrandAccountRecord } from './brand-account.model';
import { type CustomerAccess } from './customer.access';
import { MAX_CUSTOMER_IDS } from './customer.args';
import { type CustomerLoaders } from './customer.loaders';
import { type CustomerRecord } from './customer.model';
import { PossibleMatchStatus } from './possible-match.model';
import { type BrandAccount, type Customer } from './customer.type';
import { type BrandAccountInput } from './customer.input';
import {
  accountIdSchema,
  brandAccountInputSchema,
  type BrandAccountReport,
} from './customer.validation';
import { normalizeEmail } from './lib/email';

export interface CustomerServiceDeps {
  models: Models;
  connection: Connection;
  loaders: CustomerLoaders;
  clock: Clock;
  access: CustomerAccess;
  dateBounds: DateBounds;
}

/** How many existing customers one unconfirmed email is offered to staff as a match for. */
const MAX_MATCH_CANDIDATES = 5;

export function toCustomer(record: CustomerRecord): Customer {
  return {
    id: record._id.toHexString(),
    name: {
      title: record.name.title ?? undefined,
      firstName: record.name.firstName,
      lastName: record.name.lastName,
    },
    email: record.email,
    postalAddress: record.postalAddress
      ? { ...record.postalAddress, line2: record.postalAddress.line2 ?? undefined }
      : undefined,
  };
}

function toBrandAccount(record: BrandAccountRecord): BrandAccount {
  return {
    brand: record.brand,
    accountId: record.accountId,
    email: record.email,
    linkedAt: record.linkedAt,
    membership: record.membership
      ? { ...record.membership, tier: record.membership.tier ?? undefined }
      : undefined,
  };
}

/** Field-by-field equality of what a report sets, so a repeated report writes nothing. */
function sameValue(left: unknown, right: unknown): boolean {
  if (left instanceof Date || right instanceof Date) {
    return left instanceof Date && right instanceof Date && left.getTime() === right.getTime();
  }
  if (left && right && typeof left === 'object' && typeof right === 'object') {
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].every((key) =>
      sameValue((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
    );
  }
  return (left ?? undefined) === (right ?? undefined);
}

/** `$set` what differs and `$unset` what the report no longer carries; undefined when nothing. */
function changesOf(
  stored: Record<string, unknown>,
  reported: Record<string, unknown>,
): { $set?: Record<string, unknown>; $unset?: Record<string, ''> } | undefined {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, ''> = {};
  for (const [key, value] of Object.entries(reported)) {
    if (sameValue(stored[key], value)) continue;
    if (value === undefined) $unset[key] = '';
    else $set[key] = value;
  }
  const update = {
    ...(Object.keys($set).length > 0 ? { $set } : {}),
    ...(Object.keys($unset).length > 0 ? { $unset } : {}),
  };
  return Object.keys(update).length > 0 ? update : undefined;
}

export class CustomerService {
  constructor(private readonly deps: CustomerServiceDeps) {}

  /** The customer, or null when the id is unknown or malformed. */
  async findById(id: string): Promise<Customer | null> {
    const record = await this.deps.loaders.customerById.load(id);
    return record ? toCustomer(record) : null;
  }

  /** The calling customer; their token names them, so a missing record is NOT_FOUND. */
  async findMe(viewer: Viewer): Promise<Customer> {
    // The permission map already demands role customer; this keeps the service safe alone.
    if (viewer.role !== 'customer') throw new ForbiddenError('Only a customer has a profile');
    const customer = await this.findById(viewer.subject);
    if (!customer) throw new NotFoundError('The calling customer does not exist');
    return customer;
  }

  /** In the order asked, null where not found. */
  async findMany(ids: string[]): Promise<(Customer | null)[]> {
    if (ids.length > MAX_CUSTOMER_IDS) {
      throw new BadUserInputError('ids', `at most ${MAX_CUSTOMER_IDS} ids in one call`);
    }
    const { access, loaders } = this.deps;
    // A customer the caller may not read is null, exactly like one that does not exist.
    const readable = await Promise.all(ids.map((id) => access.canRead(id)));
    const records = await loaders.customerById.loadMany(ids.filter((_id, at) => readable[at]));
    let next = 0;
    return readable.map((allowed) => {
      if (!allowed) return null;
      const record = records[next++];
      if (record instanceof Error) throw record;
      return record ? toCustomer(record) : null;
    });
  }

  /** Null when no account has this id, including an id no account could have. */
  async findByBrandAccount(brand: Brand, accountId: string): Promise<Customer | null> {
    // The same spelling upsertBrandAccount stored: " WS-1 " finds "WS-1".
    const normalized = accountIdSchema.safeParse(accountId);
    if (!normalized.success) return null;
    const account = await this.deps.loaders.accountByBrandAccountId.load({
      brand,
      accountId: normalized.data,
    });
    return account ? this.findById(account.customerId.toHexString()) : null;
  }

  /** The accounts the caller may see: a brand sees only its own, never that others exist. */
  async brandAccounts(customerId: string): Promise<BrandAccount[]> {
    const accounts = await this.deps.loaders.accountsByCustomer.load(customerId);
    return accounts
      .filter((account) => this.deps.access.canSeeAccountOf(account.brand))
      .map(toBrandAccount);
  }

  /**
   * Records what a brand's account system reports. The account `(brand, accountId)` is updated
   * when known; a new one is linked to `customerId`, else to the customer whose confirmed email
   * it shares when the brand confirmed it too, else to a new customer (with a possible match
   * for staff when someone else holds the same email). All of it commits together or not at all.
   */
  async upsertBrandAccount(input: BrandAccountInput): Promise<Customer> {
    const { clock, dateBounds, loaders } = this.deps;
    const report = parseInput(brandAccountInputSchema(clock.now(), dateBounds), input, 'input');
    // Two first reports of one person may race to create the account or the customer; the
    // loser's retry finds the winner's records and links to them.
    const customerId = await retryOnDuplicateKey(() => this.applyReportOnce(report));
    const id = customerId.toHexString();
    loaders.forgetCustomer(id, report);
    const customer = await this.findById(id);
    if (!customer) throw new Error(`customer ${id} vanished after its account was recorded`);
    return customer;
  }

  private applyReportOnce(report: BrandAccountReport): Promise<Types.ObjectId> {
    return runTransaction(this.deps.connection, (session) => this.applyReport(report, session));
  }

  private async applyReport(
    report: BrandAccountReport,
    session: ClientSession,
  ): Promise<Types.ObjectId> {
    const { BrandAccount } = this.deps.models;
    const now = this.deps.clock.now();
    const known = await BrandAccount.findOne({ brand: report.brand, accountId: report.accountId })
      .session(session)
      .lean();

    if (known) {
      const linkedTo = known.customerId.toHexString();
      if (report.customerId && report.customerId !== linkedTo) {
        // An id that names nobody is a wrong id, whatever the account: NOT_FOUND, as for a new
        // account. CONFLICT is kept for a real customer other than the account's own.
        await this.requireCustomer(report.customerId, session);
        throw new ConflictError(
          'This account is already linked to another customer',
          'input.customerId',
        );
      }
      const accountChanges = changesOf(known as unknown as Record<string, unknown>, {
        email: report.email,
        emailVerified: report.emailVerified,
        membership: report.membership,
        reported: reportedProfile(report),
      });
      if (accountChanges) {
        await BrandAccount.updateOne(
          { _id: known._id },
          { ...accountChanges, $set: { ...accountChanges.$set, updatedAt: now } },
          { session },
        );
      }
      await this.followProfileChanges(known, report, session);
      return known.customerId;
    }

    // A newly linked account changes nothing on the customer it joins: what it reports now is
    // only remembered, so that its later changes can be told apart.
    const customerId = await this.customerForNewAccount(report, session);
    await BrandAccount.create(
      [
        {
          brand: report.brand,
          accountId: report.accountId,
          customerId,
          email: report.email,
          emailVerified: report.emailVerified,
          membership: report.membership,
          reported: reportedProfile(report),
          linkedAt: now,
          updatedAt: now,
        },
      ],
      { session },
    );
    return customerId;
  }

  /**
   * The profile rule: a known account's report changes the customer's name or postal address
   * only where it differs from what that same account reported last time (the person changed
   * their details at that brand); the newest such change wins. The email never changes.
   */
  private async followProfileChanges(
    account: BrandAccountRecord,
    report: BrandAccountReport,
    session: ClientSession,
  ): Promise<void> {
    const previous = account.reported;
    if (!previous) return;
    const changed: Record<string, unknown> = {};
    if (!sameValue(previous.name, report.name)) changed.name = report.name;
    if (report.postalAddress && !sameValue(previous.postalAddress, report.postalAddress)) {
      changed.postalAddress = report.postalAddress;
    }
    if (Object.keys(changed).length === 0) return;
    const { Customer } = this.deps.models;
    const stored = await Customer.findById(account.customerId).session(session).lean();
    if (!stored) {
      throw new Error(`account linked to missing customer ${account.customerId.toHexString()}`);
    }
    const changes = changesOf(stored as unknown as Record<string, unknown>, changed);
    if (!changes) return;
    await Customer.updateOne(
      { _id: account.customerId },
      { ...changes, $set: { ...changes.$set, updatedAt: this.deps.clock.now() } },
      { session },
    );
  }

  /** The id of the customer `customerId` names; NOT_FOUND when it names nobody. */
  private async requireCustomer(
    customerId: string,
    session: ClientSession,
  ): Promise<Types.ObjectId> {
    const id = parseObjectId(customerId);
    const existing =
      id && (await this.deps.models.Customer.findById(id, { _id: 1 }).session(session).lean());
    if (!existing) throw new NotFoundError('No customer has this id', 'input.customerId');
    return existing._id;
  }

  private async customerForNewAccount(
    report: BrandAccountReport,
    session: ClientSession,
  ): Promise<Types.ObjectId> {
    const { Customer, PossibleMatch } = this.deps.models;
    if (report.customerId) {
      return this.requireCustomer(report.customerId, session);
    }
    const emailNormalized = normalizeEmail(report.email);
    if (report.emailVerified) {
      const owner = await Customer.findOne({ verifiedEmail: emailNormalized }, { _id: 1 })
        .session(session)
        .lean();
      if (owner) return owner._id;
    }
    // Someone else may hold this address without it being theirs to share: keep the account
    // apart and let staff decide.
    const candidates = await Customer.find(
      { emailNormalized, mergedInto: trusted({ $exists: false }) },
      { _id: 1 },
    )
      .sort({ _id: 1 })
      .limit(MAX_MATCH_CANDIDATES)
      .session(session)
      .lean();
    const now = this.deps.clock.now();
    const [created] = await Customer.create(
      [
        {
          name: report.name,
          email: report.email,
          emailNormalized,
          ...(report.emailVerified ? { verifiedEmail: emailNormalized } : {}),
          postalAddress: report.postalAddress,
          createdAt: now,
          updatedAt: now,
        },
      ],
      { session },
    );
    if (candidates.length > 0) {
      await PossibleMatch.insertMany(
        candidates.map((candidate) => ({
          brand: report.brand,
          accountId: report.accountId,
          customerId: created._id,
          candidateId: candidate._id,
          detectedAt: now,
          status: PossibleMatchStatus.OPEN,
        })),
        { session },
      );
    }
    return created._id;
  }
}

/** What an account reports of the person, kept on the account for the profile rule. */
function reportedProfile(report: BrandAccountReport): BrandAccountRecord['reported'] {
  return { name: report.name, postalAddress: report.postalAddress };
}
