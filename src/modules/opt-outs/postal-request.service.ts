import { trusted, type ClientSession, type Connection, type Types } from 'mongoose';
import { z } from 'zod';

import { type AuthenticatedViewer } from '../../auth/viewer';
import { formatCalendarDate, ukDateOf } from '../../calendar';
import { type Clock } from '../../clock';
import { retryOnDuplicateKey } from '../../db/duplicate-key';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { runTransaction } from '../../db/transaction';
import { inFeedOrder } from '../preferences/lib/feed-order';
import { ConflictError, NotFoundError } from '../../graphql/errors';
import { queuePage, type QueuePage } from '../../graphql/queue-page';
import { parseInput } from '../../graphql/validation';
import { Brand } from '../customers/brand';
import {
  emailSchema,
  identifierSchema,
  optional,
  personNameSchema,
  postalAddressSchema,
} from '../customers/customer.validation';
import { normalizeEmail } from '../customers/lib/email';
import { type Requested } from '../preferences/lib/changes';
import { Channel, ConsentSource, ContactPurpose } from '../preferences/preference.enums';
import { type PreferenceLoaders } from '../preferences/preference.loaders';
import { consentEventsOf, writePreferencesInSession } from '../preferences/preference.service';
import { type ConsentEvent } from '../preferences/preference.type';
import {
  type DismissPostalRequestArgs,
  type PostalRequestInput,
  type PostalRequestsArgs,
  type ResolvePostalRequestArgs,
} from './postal-request.input';
import {
  PostalRequestStatus,
  type PostalRequestRecord,
  type PostalUpdateRecord,
} from './postal-request.model';
import { type PostalRequest, type PostalRequestPayload } from './postal-request.type';

/** Requests still waiting for staff: the review queue. */
const KEPT = [PostalRequestStatus.NEEDS_REVIEW, PostalRequestStatus.NO_MATCH];
/** A letter names one person: more customers than this under one email is not worth listing. */
const MAX_CANDIDATES = 10;
/** A letter keyed in by another desk whose clock runs a little ahead is still today's. */
const CLOCK_TOLERANCE_MS = 5 * 60_000;

const CHANNEL_OF = {
  email: Channel.EMAIL,
  sms: Channel.SMS,
  post: Channel.POST,
  phone: Channel.PHONE,
} as const;

function postalRequestSchema(now: Date) {
  const update = z
    .object({
      brand: z.enum(Brand),
      email: optional(z.boolean()),
      sms: optional(z.boolean()),
      post: optional(z.boolean()),
      phone: optional(z.boolean()),
      thirdPartyOffers: optional(z.boolean()),
    })
    .refine(
      (value) => Object.keys(value).some((key) => key !== 'brand' && value[key as 'email'] != null),
      'must change at least one preference',
    );
  return z.object({
    name: personNameSchema,
    email: emailSchema,
    postalAddress: postalAddressSchema,
    updates: z
      .array(update)
      .min(1, 'must name at least one brand')
      .refine(
        (updates) => new Set(updates.map(({ brand }) => brand)).size === updates.length,
        'must name each brand once',
      ),
    letterReference: identifierSchema(64),
    receivedAt: z
      .date()
      .max(new Date(now.getTime() + CLOCK_TOLERANCE_MS), 'must not be in the future'),
  });
}

type Letter = z.output<ReturnType<typeof postalRequestSchema>>;

/** Postcodes compare ignoring case and spaces, however either side was written. */
function comparablePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}

function requestedOf(update: PostalUpdateRecord): Requested[] {
  const requested: Requested[] = [];
  for (const [field, channel] of Object.entries(CHANNEL_OF)) {
    const granted = update[field as keyof typeof CHANNEL_OF];
    if (granted !== undefined) requested.push({ subject: { kind: 'channel', channel }, granted });
  }
  if (update.thirdPartyOffers !== undefined) {
    requested.push({
      subject: { kind: 'switch', purpose: ContactPurpose.THIRD_PARTY_OFFERS },
      granted: update.thirdPartyOffers,
    });
  }
  return requested;
}

function toPostalRequest(record: PostalRequestRecord): PostalRequest {
  return {
    id: record._id.toHexString(),
    letterReference: record.letterReference,
    receivedAt: record.receivedAt,
    name: { ...record.name, title: record.name.title ?? undefined },
    email: record.email,
    postalAddress: { ...record.postalAddress, line2: record.postalAddress.line2 ?? undefined },
    updates: record.updates,
    status: record.status,
    candidateIds: record.candidateIds.map((id) => id.toHexString()),
    customerId: record.customerId?.toHexString(),
    recordedBy: record.recordedBy,
    recordedAt: record.recordedAt,
    resolvedBy: record.resolvedBy,
    resolvedAt: record.resolvedAt,
    dismissReason: record.dismissReason,
  };
}

export interface PostalRequestServiceDeps {
  models: Models;
  connection: Connection;
  clock: Clock;
  loaders: Pick<PreferenceLoaders, 'preferencesByCustomer'>;
}

/**
 * Letters to Group Customer Insight: a letter that names one customer by email and postcode is
 * applied the day it is keyed in, through the same chained write as `setPreferences` (source
 * POST, the letter's reference as evidence); a doubtful one waits for staff, changing nothing.
 */
export class PostalRequestService {
  constructor(private readonly deps: PostalRequestServiceDeps) {}

  async record(
    input: PostalRequestInput,
    staff: AuthenticatedViewer,
  ): Promise<PostalRequestPayload> {
    const letter = parseInput(postalRequestSchema(this.deps.clock.now()), input, 'input');
    // The same letter keyed in twice at once: the loser's retry finds the winner's request.
    return retryOnDuplicateKey(() => this.recordOnce(letter, staff));
  }

  private async recordOnce(
    letter: Letter,
    staff: AuthenticatedViewer,
  ): Promise<PostalRequestPayload> {
    const { Customer, PostalRequest } = this.deps.models;
    const known = await PostalRequest.findOne({ letterReference: letter.letterReference }).lean();
    if (known) return { status: known.status, request: toPostalRequest(known), changes: [] };

    const candidates = await Customer.find(
      { emailNormalized: normalizeEmail(letter.email), mergedInto: trusted({ $exists: false }) },
      { _id: 1, postalAddress: 1 },
    )
      .sort({ _id: 1 })
      .limit(MAX_CANDIDATES)
      .lean();
    const postcode = comparablePostcode(letter.postalAddress.postcode);
    const matches = candidates.filter(
      (candidate) =>
        candidate.postalAddress &&
        comparablePostcode(candidate.postalAddress.postcode) === postcode,
    );
    const now = this.deps.clock.now();
    const request = {
      ...letter,
      candidateIds: (matches.length > 1 ? matches : candidates).map(({ _id }) => _id),
      recordedBy: staff.subject,
      recordedAt: now,
    };
    if (matches.length !== 1) {
      const status =
        candidates.length > 0 ? PostalRequestStatus.NEEDS_REVIEW : PostalRequestStatus.NO_MATCH;
      const [kept] = await PostalRequest.create([{ ...request, status }]);
      return { status, request: toPostalRequest(kept.toObject()), changes: [] };
    }

    const customerId = matches[0]._id;
    const { record, changes } = await this.applyLetter(customerId, staff, async (session) => {
      const [applied] = await PostalRequest.create(
        [
          {
            ...request,
            status: PostalRequestStatus.APPLIED,
            customerId,
            resolvedBy: staff.subject,
            resolvedAt: now,
          },
        ],
        { session },
      );
      return applied.toObject();
    });
    return { status: PostalRequestStatus.APPLIED, request: toPostalRequest(record), changes };
  }

  /** The review queue (or the requests in `status`), oldest first. */
  list({ status, first, after }: PostalRequestsArgs): Promise<QueuePage<PostalRequest>> {
    return queuePage(
      this.deps.models.PostalRequest,
      { status: status ?? trusted({ $in: KEPT }) },
      { first, after },
      toPostalRequest,
    );
  }

  /** Applies a kept letter to the customer staff chose. */
  async resolve(
    { id, customerId }: ResolvePostalRequestArgs,
    staff: AuthenticatedViewer,
  ): Promise<PostalRequestPayload> {
    const { Customer, PostalRequest } = this.deps.models;
    const request = await this.keptRequest(id);
    const target = parseObjectId(customerId);
    const customer =
      target && (await Customer.exists({ _id: target, mergedInto: trusted({ $exists: false }) }));
    if (!target || !customer) throw new NotFoundError('No customer has this id', 'customerId');
    const { record, changes } = await this.applyLetter(target, staff, async (session) => {
      const now = this.deps.clock.now();
      const applied = await PostalRequest.findOneAndUpdate(
        { _id: request._id, status: trusted({ $in: KEPT }) },
        {
          $set: {
            status: PostalRequestStatus.APPLIED,
            customerId: target,
            resolvedBy: staff.subject,
            resolvedAt: now,
          },
        },
        { returnDocument: 'after', session },
      ).lean();
      // Another member of staff resolved or dismissed it since it was read.
      if (!applied) throw new ConflictError('This postal request was already closed', 'id');
      return applied;
    });
    return { status: PostalRequestStatus.APPLIED, request: toPostalRequest(record), changes };
  }

  /** Closes a kept letter without a change; dismissing it again changes nothing. */
  async dismiss(
    { id, reason }: DismissPostalRequestArgs,
    staff: AuthenticatedViewer,
  ): Promise<PostalRequestPayload> {
    const { PostalRequest } = this.deps.models;
    const dismissReason = parseInput(
      z.string().trim().min(1, 'must not be empty').max(500),
      reason,
      'reason',
    );
    const request = await this.requestById(id);
    if (request.status === PostalRequestStatus.DISMISSED) {
      return { status: request.status, request: toPostalRequest(request), changes: [] };
    }
    const dismissed = await PostalRequest.findOneAndUpdate(
      { _id: request._id, status: trusted({ $in: KEPT }) },
      {
        $set: {
          status: PostalRequestStatus.DISMISSED,
          dismissReason,
          resolvedBy: staff.subject,
          resolvedAt: this.deps.clock.now(),
        },
      },
      { returnDocument: 'after' },
    ).lean();
    if (!dismissed) throw new ConflictError('This postal request was already applied', 'id');
    return { status: dismissed.status, request: toPostalRequest(dismissed), changes: [] };
  }

  private async requestById(id: string): Promise<PostalRequestRecord> {
    const requestId = parseObjectId(id);
    const request = requestId && (await this.deps.models.PostalRequest.findById(requestId).lean());
    if (!request) throw new NotFoundError('No postal request has this id', 'id');
    return request;
  }

  private async keptRequest(id: string): Promise<PostalRequestRecord> {
    const request = await this.requestById(id);
    if (!KEPT.includes(request.status)) {
      throw new ConflictError(`This postal request is already ${request.status}`, 'id');
    }
    return request;
  }

  /**
   * Writes every brand's update of the letter and the request itself in one transaction: a
   * letter is applied whole or not at all.
   */
  private async applyLetter(
    customerId: Types.ObjectId,
    staff: AuthenticatedViewer,
    saveRequest: (session: ClientSession) => Promise<PostalRequestRecord>,
  ): Promise<{ record: PostalRequestRecord; changes: ConsentEvent[] }> {
    const { models, clock, connection } = this.deps;
    // It takes feed positions: in line with this process's other consent changes.
    const result = await inFeedOrder(connection, () =>
      runTransaction(connection, async (session) => {
        // A retried transaction starts again from nothing: nothing from a failed try is kept.
        const changes: ConsentEvent[] = [];
        const record = await saveRequest(session);
        const evidence =
          `letter ${record.letterReference}, received ` +
          formatCalendarDate(ukDateOf(record.receivedAt));
        for (const update of record.updates) {
          const { outcome } = await writePreferencesInSession(
            { models, clock },
            {
              customerId,
              brand: update.brand,
              requested: requestedOf(update),
              source: ConsentSource.POST,
              evidence,
              actor: { role: staff.role, subject: staff.subject },
            },
            session,
          );
          for (const event of consentEventsOf(outcome)) changes.push(event);
        }
        return { record, changes };
      }),
    );
    this.deps.loaders.preferencesByCustomer.clear(customerId.toHexString());
    return result;
  }
}
