import { createHash } from 'node:crypto';

import { trusted, Types, type ClientSession, type Connection } from 'mongoose';

import { brandOf } from '../../auth/rules';
import { type AuthenticatedViewer } from '../../auth/viewer';
import { type Clock } from '../../clock';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { runTransaction } from '../../db/transaction';
import { inFeedOrder } from './lib/feed-order';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
} from '../../graphql/errors';
import { parseInput } from '../../graphql/validation';
import { Brand } from '../customers/brand';
import { type CustomerLoaders } from '../customers/customer.loaders';
import { QuoteStatus } from '../quotes/quote.enums';
import { changesOf, type ConsentChange, type Requested } from './lib/changes';
import { decideContactPermission } from './lib/contact-permission';
import {
  consentKey,
  PLAIN_CHANNELS,
  stateOf,
  subjectsOf,
  type ConsentSubject,
} from './lib/consents';
import { decodeEventCursor, encodeEventCursor } from './lib/cursor';
import {
  eventHash,
  GENESIS_HASH,
  newSalt,
  payloadDigest,
  verifyChain,
  type StoredChainEvent,
} from './lib/hash-chain';
import { type PushTopics } from './lib/push-topics';
import {
  CONSENT_FEED_ID,
  type ConsentEventRecord,
  type ConsentPayloadRecord,
} from './consent-event.model';
import { IDEMPOTENCY_KEY_TTL_MS, type IdempotencyKeyRecord } from './idempotency.model';
import {
  DEFAULT_FEED_PAGE,
  DEFAULT_HISTORY_PAGE,
  MAX_EVENT_PAGE,
  type ConsentHistoryArgs,
  type ContactPermissionArgs,
  type PreferenceChangesArgs,
} from './preference.args';
import { Channel, ConsentState, ContactPurpose, type ConsentSource } from './preference.enums';
import { type SetPreferencesInput } from './preference.input';
import { type PreferenceLoaders } from './preference.loaders';
import { type BrandPreferenceRecord, type ConsentEntryRecord } from './preference.model';
import {
  type BrandPreferences,
  type ConsentEvent,
  type ConsentEventConnection,
  type ConsentTrailVerification,
  type ContactPermission,
  type SetPreferencesPayload,
} from './preference.type';
import { setPreferencesInputSchema, type PreferenceRequest } from './preference.validation';

/** The state of one brand's preferences as the API shows it (stored, or never set). */
interface PreferenceState {
  consents: Record<string, ConsentEntryRecord>;
  version: number;
  updatedAt?: Date;
}

/** One change to make, already checked and resolved to a customer. */
export interface PreferenceWrite {
  customerId: Types.ObjectId;
  brand: Brand;
  requested: Requested[];
  source: ConsentSource;
  evidence?: string;
  actor: { role: AuthenticatedViewer['role']; subject: string };
  expectedVersion?: number;
  /** The caller-scoped key and the digest of the request it was first used with. */
  idempotency?: { id: string; requestDigest: string };
}

export interface WriteOutcome {
  state: PreferenceState;
  events: ConsentEventRecord[];
  payloads: ConsentPayloadRecord[];
}

const NEVER_SET: PreferenceState = { consents: {}, version: 0 };

function stateOfRecord(record: BrandPreferenceRecord | undefined): PreferenceState {
  return record
    ? { consents: record.consents, version: record.version, updatedAt: record.updatedAt }
    : NEVER_SET;
}

/** Builds one brand's preferences for the API: every topic of its app, every channel. */
function toBrandPreferences(
  brand: Brand,
  state: PreferenceState,
  pushTopics: PushTopics,
): BrandPreferences {
  const granted = (subject: ConsentSubject) =>
    stateOf(state.consents[consentKey(subject)]) === ConsentState.GRANTED;
  const channels = subjectsOf(pushTopics[brand]).flatMap((subject) => {
    if (subject.kind === 'switch') return [];
    const entry = state.consents[consentKey(subject)];
    return [
      {
        channel: subject.kind === 'push' ? Channel.PUSH : subject.channel,
        topic: subject.kind === 'push' ? subject.topic : undefined,
        state: stateOf(entry),
        updatedAt: entry?.updatedAt,
        source: entry?.source,
      },
    ];
  });
  return {
    brand,
    email: granted({ kind: 'channel', channel: Channel.EMAIL }),
    sms: granted({ kind: 'channel', channel: Channel.SMS }),
    post: granted({ kind: 'channel', channel: Channel.POST }),
    phone: granted({ kind: 'channel', channel: Channel.PHONE }),
    thirdPartyOffers: granted({ kind: 'switch', purpose: ContactPurpose.THIRD_PARTY_OFFERS }),
    quoteFollowUp: granted({ kind: 'switch', purpose: ContactPurpose.QUOTE_FOLLOW_UP }),
    push: pushTopics[brand].map(({ topic }) => {
      const current = stateOf(state.consents[consentKey({ kind: 'push', topic })]);
      return { topic, enabled: current === ConsentState.GRANTED, state: current };
    }),
    channels,
    version: state.version,
    updatedAt: state.updatedAt,
  };
}

function toConsentEvent(record: ConsentEventRecord, evidence?: string): ConsentEvent {
  return {
    id: record._id.toHexString(),
    customerId: record.customerId.toHexString(),
    brand: record.brand,
    channel: record.channel ?? undefined,
    topic: record.topic ?? undefined,
    purpose: record.purpose,
    granted: record.granted,
    previous: record.previous,
    source: record.source,
    actor: { role: record.actor.role, subject: record.actor.subject },
    at: record.at,
    evidence,
    hash: record.hash,
  };
}

function toChainEvent(record: ConsentEventRecord): StoredChainEvent {
  return {
    ...record,
    id: record._id.toHexString(),
    customerId: record.customerId.toHexString(),
  };
}

/** The event fields a change fixes, before the feed position and chain are known. */
function eventSubject(subject: ConsentSubject) {
  switch (subject.kind) {
    case 'channel':
      return { channel: subject.channel, purpose: ContactPurpose.MARKETING };
    case 'push':
      return { channel: Channel.PUSH, topic: subject.topic, purpose: ContactPurpose.MARKETING };
    case 'switch':
      return { purpose: subject.purpose };
  }
}

/** The end of a customer's chain: the place and hash the next event follows. */
interface ChainHead {
  seq: number;
  hash: string;
}

const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The state after `changes`: each changed consent set at `now`, the version one up. */
function stateAfter(
  before: PreferenceState,
  changes: readonly ConsentChange[],
  source: ConsentSource,
  now: Date,
): Required<PreferenceState> {
  const consents = { ...before.consents };
  for (const change of changes) {
    consents[change.key] = {
      state: change.granted ? ConsentState.GRANTED : ConsentState.WITHDRAWN,
      updatedAt: now,
      source,
    };
  }
  return { consents, version: before.version + 1, updatedAt: now };
}

/**
 * One event per change (with its payload when the write carries evidence), chained after
 * `head` and placed in the feed after `position`: the one place events and hashes are made.
 */
function chainEvents(
  write: Pick<PreferenceWrite, 'customerId' | 'brand' | 'source' | 'evidence' | 'actor'>,
  changes: readonly ConsentChange[],
  head: ChainHead,
  position: number,
  now: Date,
): Pick<WriteOutcome, 'events' | 'payloads'> {
  const events: ConsentEventRecord[] = [];
  const payloads: ConsentPayloadRecord[] = [];
  let seq = head.seq;
  let prevHash = head.hash;
  for (const change of changes) {
    const _id = new Types.ObjectId();
    const payload = write.evidence
      ? { _id, customerId: write.customerId, salt: newSalt(), evidence: write.evidence }
      : undefined;
    const content = {
      position: (position += 1),
      customerId: write.customerId,
      seq: (seq += 1),
      brand: write.brand,
      ...eventSubject(change.subject),
      granted: change.granted,
      previous: change.previous,
      source: write.source,
      actor: write.actor,
      at: now,
      payloadDigest: payload ? payloadDigest(payload) : undefined,
    };
    const hash = eventHash({ ...content, customerId: write.customerId.toHexString() }, prevHash);
    events.push({ _id, ...content, prevHash, hash });
    if (payload) payloads.push(payload);
    prevHash = hash;
  }
  return { events, payloads };
}

/** Takes `count` feed positions; the position before the first of them. */
async function takeFeedPositions(
  models: Models,
  count: number,
  session: ClientSession,
): Promise<number> {
  const counter = await models.FeedCounter.findOneAndUpdate(
    { _id: CONSENT_FEED_ID },
    { $inc: { position: count } },
    { upsert: true, returnDocument: 'after', session },
  ).lean();
  return counter.position - count;
}

/**
 * Applies one change in ONE transaction: the preference document, its events and their
 * payloads, the feed counter and the idempotency key commit together or not at all.
 *
 * Invariant: every transaction that adds events increments the one feed counter document, so
 * any two of them conflict on it (WriteConflict, retried by `runTransaction`; within one
 * process they wait their turn instead, `inFeedOrder`). Feed
 * positions are therefore handed out in commit order: position N + 1 cannot commit before N,
 * and a reader that has seen N has seen everything before it. The same serialisation makes
 * the read of the customer's chain head safe.
 */
export async function writePreferences(
  deps: { models: Models; connection: Connection; clock: Clock },
  write: PreferenceWrite,
): Promise<{ outcome: WriteOutcome; replayed?: IdempotencyKeyRecord }> {
  return inFeedOrder(deps.connection, () =>
    runTransaction(deps.connection, (session) => writePreferencesInSession(deps, write, session)),
  );
}

/** The events a write made, as the API shows them (with their evidence). */
export function consentEventsOf(outcome: WriteOutcome): ConsentEvent[] {
  const evidence = new Map(
    outcome.payloads.map((payload) => [payload._id.toHexString(), payload.evidence]),
  );
  return outcome.events.map((event) =>
    toConsentEvent(event, evidence.get(event._id.toHexString())),
  );
}

/** What a change is decided on. */
interface ChangeBasis {
  stored?: BrandPreferenceRecord;
  /** The last event of the customer's consent chain. */
  head?: Pick<ConsentEventRecord, 'seq' | 'hash'>;
  remembered?: IdempotencyKeyRecord;
}

/**
 * Everything a change is decided on, in ONE command at the start of its transaction: the
 * customer (that it exists), its preference document for the brand, the head of its consent
 * chain and the idempotency key, if one was given, each joined to the customer by `$lookup`.
 * Undefined when no customer has the id.
 */
async function readChangeBasis(
  { Customer, BrandPreference, ConsentEvent, IdempotencyKey }: Models,
  write: PreferenceWrite,
  session: ClientSession,
): Promise<ChangeBasis | undefined> {
  const idempotency = write.idempotency
    ? [
        {
          $lookup: {
            from: IdempotencyKey.collection.collectionName,
            pipeline: [{ $match: { _id: write.idempotency.id } }],
            as: 'remembered',
          },
        },
      ]
    : [];
  const [row] = await Customer.aggregate<{
    stored: BrandPreferenceRecord[];
    head: Pick<ConsentEventRecord, 'seq' | 'hash'>[];
    remembered?: IdempotencyKeyRecord[];
  }>([
    { $match: { _id: write.customerId } },
    { $project: { _id: 1 } },
    {
      $lookup: {
        from: BrandPreference.collection.collectionName,
        pipeline: [{ $match: { customerId: write.customerId, brand: write.brand } }],
        as: 'stored',
      },
    },
    {
      $lookup: {
        from: ConsentEvent.collection.collectionName,
        pipeline: [
          { $match: { customerId: write.customerId } },
          { $sort: { seq: -1 } },
          { $limit: 1 },
          { $project: { _id: 0, seq: 1, hash: 1 } },
        ],
        as: 'head',
      },
    },
    ...idempotency,
  ]).session(session);
  if (!row) return undefined;
  return { stored: row.stored[0], head: row.head[0], remembered: row.remembered?.[0] };
}

/**
 * `writePreferences` inside a transaction the caller runs, for a change that must commit with
 * other writes (a postal letter's updates for several brands and its own status).
 */
export async function writePreferencesInSession(
  { models, clock }: { models: Models; clock: Clock },
  write: PreferenceWrite,
  session: ClientSession,
): Promise<{ outcome: WriteOutcome; replayed?: IdempotencyKeyRecord }> {
  const { BrandPreference, ConsentEvent, ConsentPayload, IdempotencyKey } = models;
  const basis = await readChangeBasis(models, write, session);
  if (!basis) throw new NotFoundError('No customer has this id', 'input.customerId');
  const { stored, head, remembered } = basis;
  if (write.idempotency && remembered) {
    if (remembered.requestDigest !== write.idempotency.requestDigest) {
      throw new BadUserInputError('input.idempotencyKey', 'was already used with another input');
    }
    return { outcome: { state: NEVER_SET, events: [], payloads: [] }, replayed: remembered };
  }

  const before = stateOfRecord(stored);
  if (write.expectedVersion !== undefined && write.expectedVersion !== before.version) {
    throw new VersionConflictError(
      `The preferences are at version ${before.version}, not ${write.expectedVersion}`,
      'input.expectedVersion',
    );
  }

  const changes = changesOf(before.consents, write.requested);
  const now = clock.now();
  let state = before;
  let events: ConsentEventRecord[] = [];
  let payloads: ConsentPayloadRecord[] = [];
  if (changes.length > 0) {
    const position = await takeFeedPositions(models, changes.length, session);
    ({ events, payloads } = chainEvents(write, changes, head ?? EMPTY_CHAIN, position, now));
    state = stateAfter(before, changes, write.source, now);
    if (stored) {
      const updated = await BrandPreference.updateOne(
        { _id: stored._id, version: stored.version },
        { $set: state },
        { session },
      );
      // Inside the transaction nothing else can move the version; this guards the invariant.
      if (updated.matchedCount !== 1) throw new Error('preference document moved in a transaction');
    } else {
      await BrandPreference.create(
        [{ customerId: write.customerId, brand: write.brand, ...state }],
        { session },
      );
    }
    await ConsentEvent.insertMany(events, { session });
    if (payloads.length > 0) await ConsentPayload.insertMany(payloads, { session });
  }

  if (write.idempotency) {
    await IdempotencyKey.create(
      [
        {
          _id: write.idempotency.id,
          requestDigest: write.idempotency.requestDigest,
          customerId: write.customerId,
          brand: write.brand,
          ...state,
          eventIds: events.map((event) => event._id),
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
        },
      ],
      { session },
    );
  }
  return { outcome: { state, events, payloads } };
}

/**
 * Many changes inside a transaction the caller runs, for customers with no preferences and no
 * consent events yet (the demo seed): the same documents, chained events and feed positions as
 * `writePreferences` for each change in order, in a handful of commands. A customer that has
 * either already fails the transaction on the unique indexes rather than fork its chain.
 */
export async function writeFirstPreferencesInSession(
  { models, clock }: { models: Models; clock: Clock },
  writes: readonly Omit<PreferenceWrite, 'expectedVersion' | 'idempotency'>[],
  session: ClientSession,
): Promise<void> {
  const now = clock.now();
  // One preference document per customer and brand, in the order the API would create them.
  const documents = new Map<string, BrandPreferenceRecord>();
  const planned = writes.map((write) => {
    const key = `${write.customerId.toHexString()}/${write.brand}`;
    const stored = documents.get(key);
    const before = stateOfRecord(stored);
    const changes = changesOf(before.consents, write.requested);
    if (changes.length > 0) {
      documents.set(key, {
        _id: stored?._id ?? new Types.ObjectId(),
        customerId: write.customerId,
        brand: write.brand,
        ...stateAfter(before, changes, write.source, now),
      });
    }
    return { write, changes };
  });
  let position = await takeFeedPositions(
    models,
    planned.reduce((sum, { changes }) => sum + changes.length, 0),
    session,
  );
  const heads = new Map<string, ChainHead>();
  const events: ConsentEventRecord[] = [];
  const payloads: ConsentPayloadRecord[] = [];
  for (const { write, changes } of planned) {
    const customer = write.customerId.toHexString();
    const made = chainEvents(write, changes, heads.get(customer) ?? EMPTY_CHAIN, position, now);
    for (const event of made.events) events.push(event);
    for (const payload of made.payloads) payloads.push(payload);
    const last = made.events.at(-1);
    if (last) heads.set(customer, { seq: last.seq, hash: last.hash });
    position += changes.length;
  }
  // Inserted as built, without mongoose's casting and validation of each document (most of the
  // batch's time): test/seed/demo-data.test.ts holds them to what `writePreferences` stores.
  const asBuilt = { session, lean: true, ignoreUndefined: true };
  await models.BrandPreference.insertMany([...documents.values()], asBuilt);
  await models.ConsentEvent.insertMany(events, asBuilt);
  if (payloads.length > 0) await models.ConsentPayload.insertMany(payloads, asBuilt);
}

/** Creates the feed counter once, so no two first writers ever race to insert it. */
export async function ensureConsentFeed(models: Models): Promise<void> {
  try {
    await models.FeedCounter.updateOne(
      { _id: CONSENT_FEED_ID },
      { $setOnInsert: { position: 0 } },
      { upsert: true },
    );
  } catch (error) {
    // Another gateway instance starting at the same moment created it first.
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
}

export interface PreferenceServiceDeps {
  models: Models;
  connection: Connection;
  clock: Clock;
  pushTopics: PushTopics;
  loaders: PreferenceLoaders & Pick<CustomerLoaders, 'customerById'>;
}

const ALL_BRANDS = Object.values(Brand);

function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_EVENT_PAGE) {
    throw new BadUserInputError('first', `must be between 1 and ${MAX_EVENT_PAGE}`);
  }
  return first;
}

/** Contact preferences per brand, their consent trail, and the send-time check. */
export class PreferenceService {
  constructor(private readonly deps: PreferenceServiceDeps) {}

  /** The brand a caller may see: a brand backend its own only, whatever it asked. */
  private visibleBrands(viewer: AuthenticatedViewer, asked?: Brand | null): Brand[] {
    const own = brandOf(viewer);
    if (own && asked && asked !== own) {
      throw new ForbiddenError("A brand sees only its own brand's preferences");
    }
    const brand = asked ?? own;
    return brand ? [brand] : ALL_BRANDS;
  }

  async preferencesOf(
    customerId: string,
    asked: Brand | null | undefined,
    viewer: AuthenticatedViewer,
  ): Promise<BrandPreferences[]> {
    const brands = this.visibleBrands(viewer, asked);
    const records = await this.deps.loaders.preferencesByCustomer.load(customerId);
    return brands.map((brand) =>
      toBrandPreferences(
        brand,
        stateOfRecord(records.find((record) => record.brand === brand)),
        this.deps.pushTopics,
      ),
    );
  }

  /** The customer's events, newest first. */
  async history(
    customerId: string,
    args: ConsentHistoryArgs,
    viewer: AuthenticatedViewer,
  ): Promise<ConsentEventConnection> {
    const first = pageSize(args.first ?? DEFAULT_HISTORY_PAGE);
    const brands = this.visibleBrands(viewer, args.brand);
    const after = args.after ? decodeEventCursor(args.after, 'history') : undefined;
    if (args.after && after === undefined) {
      throw new BadUserInputError('after', 'is not a cursor from this API');
    }
    const id = parseObjectId(customerId);
    const records = id
      ? await this.deps.models.ConsentEvent.find({
          customerId: id,
          ...(brands.length < ALL_BRANDS.length ? { brand: trusted({ $in: brands }) } : {}),
          ...(after !== undefined ? { seq: trusted({ $lt: after }) } : {}),
        })
          .sort({ seq: -1 })
          .limit(first + 1)
          .lean()
      : [];
    const page = records.slice(0, first);
    const edges = await this.edges(page, (record) => encodeEventCursor('history', record.seq));
    return {
      edges,
      pageInfo: { hasNextPage: records.length > first, endCursor: edges.at(-1)?.cursor },
    };
  }

  /**
   * Every change of every customer, oldest first, by feed position. The end cursor is set even
   * on an empty page, so a reader always has a place to resume from.
   */
  async changes(args: PreferenceChangesArgs): Promise<ConsentEventConnection> {
    const first = pageSize(args.first ?? DEFAULT_FEED_PAGE);
    const after = args.after ? decodeEventCursor(args.after, 'feed') : 0;
    if (after === undefined) throw new BadUserInputError('after', 'is not a cursor from this API');
    const records = await this.deps.models.ConsentEvent.find({ position: trusted({ $gt: after }) })
      .sort({ position: 1 })
      .limit(first + 1)
      .lean();
    const page = records.slice(0, first);
    const edges = await this.edges(page, (record) => encodeEventCursor('feed', record.position));
    return {
      edges,
      pageInfo: {
        hasNextPage: records.length > first,
        endCursor: edges.at(-1)?.cursor ?? encodeEventCursor('feed', after),
      },
    };
  }

  private async edges(
    records: ConsentEventRecord[],
    cursor: (record: ConsentEventRecord) => string,
  ): Promise<{ cursor: string; node: ConsentEvent }[]> {
    const evidence = await this.evidenceOf(records);
    return records.map((record) => ({
      cursor: cursor(record),
      node: toConsentEvent(record, evidence.get(record._id.toHexString())),
    }));
  }

  private async evidenceOf(records: readonly ConsentEventRecord[]): Promise<Map<string, string>> {
    const ids = records.filter((record) => record.payloadDigest).map((record) => record._id);
    if (ids.length === 0) return new Map();
    const payloads = await this.deps.models.ConsentPayload.find({
      _id: trusted({ $in: ids }),
    }).lean();
    return new Map(payloads.map((payload) => [payload._id.toHexString(), payload.evidence]));
  }

  /** Recomputes the customer's hash chain and names the first event that does not verify. */
  async verifyTrail(customerId: string): Promise<ConsentTrailVerification> {
    const id = await this.existingCustomer(customerId, 'customerId');
    const { ConsentEvent, ConsentPayload } = this.deps.models;
    const [events, payloads] = await Promise.all([
      ConsentEvent.find({ customerId: id }).sort({ seq: 1 }).lean(),
      ConsentPayload.find({ customerId: id }).lean(),
    ]);
    return verifyChain(
      events.map(toChainEvent),
      new Map(payloads.map((payload) => [payload._id.toHexString(), payload])),
    );
  }

  /** May this brand contact the customer this way now: from what the last write stored. */
  async contactPermission(args: ContactPermissionArgs): Promise<ContactPermission> {
    const purpose = args.purpose ?? ContactPurpose.MARKETING;
    const topic = this.checkTopicArgument(args);
    const id = await this.existingCustomer(args.customerId, 'customerId');
    const now = this.deps.clock.now();
    const records = await this.deps.loaders.preferencesByCustomer.load(args.customerId);
    const state = stateOfRecord(records.find((record) => record.brand === args.brand));
    const validQuote =
      purpose === ContactPurpose.QUOTE_FOLLOW_UP && args.brand === Brand.JOHN_LEWIS_FINANCE
        ? await this.deps.models.Quote.findOne({
            customerId: id,
            brand: Brand.JOHN_LEWIS_FINANCE,
            status: QuoteStatus.QUOTED,
            // Valid up to and including the instant of validUntil.
            validUntil: trusted({ $gte: now }),
          })
            .sort({ validUntil: -1, _id: 1 })
            .lean()
        : null;
    const answer = decideContactPermission({
      brand: args.brand,
      channel: args.channel,
      topic,
      purpose,
      consents: state.consents,
      validQuote: validQuote ?? undefined,
    });
    return { ...answer, version: state.version, asOf: now };
  }

  private checkTopicArgument(args: ContactPermissionArgs): string | undefined {
    const topic = args.topic ?? undefined;
    if (args.channel !== Channel.PUSH) {
      if (topic !== undefined) throw new BadUserInputError('topic', 'is for PUSH only');
      return undefined;
    }
    if (topic === undefined) throw new BadUserInputError('topic', 'is required for PUSH');
    if (!this.deps.pushTopics[args.brand].some((known) => known.topic === topic)) {
      throw new BadUserInputError('topic', `is not a push topic of ${args.brand}`);
    }
    return topic;
  }

  private async existingCustomer(customerId: string, field: string): Promise<Types.ObjectId> {
    const id = parseObjectId(customerId);
    if (!id) throw new BadUserInputError(field, 'is not a valid id');
    const customer = await this.deps.loaders.customerById.load(customerId);
    if (!customer) throw new NotFoundError('No customer has this id', field);
    return id;
  }

  /**
   * Changes one brand's preferences for the customer the input (or the calling customer)
   * names. Who may change what is the permission rule's; this checks the input's meaning.
   */
  async setPreferences(
    input: SetPreferencesInput,
    viewer: AuthenticatedViewer,
  ): Promise<SetPreferencesPayload> {
    const request = parseInput(setPreferencesInputSchema, input, 'input');
    const customerHex = request.customerId ?? (viewer.role === 'customer' ? viewer.subject : '');
    if (!customerHex) throw new BadUserInputError('input.customerId', 'is required');
    // That the customer exists is checked by the write, in the same read as its preferences.
    const customerId = parseObjectId(customerHex);
    if (!customerId) throw new BadUserInputError('input.customerId', 'is not a valid id');
    const requested = this.requestedConsents(request);
    const { outcome, replayed } = await writePreferences(this.deps, {
      customerId,
      brand: request.brand,
      requested,
      source: request.source,
      evidence: request.evidence,
      actor: { role: viewer.role, subject: viewer.subject },
      expectedVersion: request.expectedVersion,
      idempotency: request.idempotencyKey
        ? {
            id: idempotencyScope(viewer, request.idempotencyKey),
            requestDigest: requestDigest(customerId, request),
          }
        : undefined,
    });
    // Fields after this mutation in the same request must read what it wrote.
    this.deps.loaders.preferencesByCustomer.clear(customerId.toHexString());
    if (replayed) return this.replay(replayed);
    return {
      preferences: toBrandPreferences(request.brand, outcome.state, this.deps.pushTopics),
      changes: consentEventsOf(outcome),
    };
  }

  private async replay(remembered: IdempotencyKeyRecord): Promise<SetPreferencesPayload> {
    const records = await this.deps.models.ConsentEvent.find({
      _id: trusted({ $in: remembered.eventIds }),
    })
      .sort({ position: 1 })
      .lean();
    const evidence = await this.evidenceOf(records);
    return {
      preferences: toBrandPreferences(remembered.brand, remembered, this.deps.pushTopics),
      changes: records.map((record) =>
        toConsentEvent(record, evidence.get(record._id.toHexString())),
      ),
    };
  }

  /** What the input asks for, in event order: channels, pushAll, topics, then switches. */
  private requestedConsents(request: PreferenceRequest): Requested[] {
    const topics = this.deps.pushTopics[request.brand];
    const requested: Requested[] = [];
    for (const channel of PLAIN_CHANNELS) {
      const value = request[channel.toLowerCase() as 'email' | 'sms' | 'post' | 'phone'];
      if (value !== undefined)
        requested.push({ subject: { kind: 'channel', channel }, granted: value });
    }
    if (request.pushAll !== undefined) {
      for (const { topic } of topics) {
        requested.push({ subject: { kind: 'push', topic }, granted: request.pushAll });
      }
    }
    for (const [index, { topic, enabled }] of (request.push ?? []).entries()) {
      if (!topics.some((known) => known.topic === topic)) {
        throw new BadUserInputError(
          `input.push.${index}.topic`,
          `is not a push topic of ${request.brand}`,
        );
      }
      requested.push({ subject: { kind: 'push', topic }, granted: enabled });
    }
    const switches = [
      [ContactPurpose.THIRD_PARTY_OFFERS, request.thirdPartyOffers],
      [ContactPurpose.QUOTE_FOLLOW_UP, request.quoteFollowUp],
    ] as const;
    for (const [purpose, value] of switches) {
      if (value !== undefined)
        requested.push({ subject: { kind: 'switch', purpose }, granted: value });
    }
    return requested;
  }
}

/** A key names a request of one caller: two callers may use the same key independently. */
function idempotencyScope(viewer: AuthenticatedViewer, key: string): string {
  return JSON.stringify([viewer.role, viewer.brand ?? null, viewer.subject, key]);
}

/** What makes two requests the same request: everything the caller sent but the key. */
function requestDigest(customerId: Types.ObjectId, request: PreferenceRequest): string {
  const { idempotencyKey: _key, customerId: _given, ...rest } = request;
  // zod builds its output in the schema's key order, so equal inputs stringify equally.
  const canonical = JSON.stringify([customerId.toHexString(), rest]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
