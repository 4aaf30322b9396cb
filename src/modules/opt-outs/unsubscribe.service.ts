import { type Connection } from 'mongoose';

import { type Clock } from '../../clock';
import { type Models } from '../../db/models';
import { parseObjectId } from '../../db/object-id';
import { BadUserInputError, NotFoundError } from '../../graphql/errors';
import { type Brand } from '../customers/brand';
import { Channel, ConsentSource } from '../preferences/preference.enums';
import { type PreferenceLoaders } from '../preferences/preference.loaders';
import { writePreferences } from '../preferences/preference.service';
import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token';

/** How the person used the link, kept as the consent event's evidence. */
export type UnsubscribeRoute = 'one-click' | 'page' | 'api';

const ROUTE_EVIDENCE: Record<UnsubscribeRoute, string> = {
  'one-click': 'one-click unsubscribe (RFC 8058) from the mail client',
  page: 'unsubscribe page button',
  api: 'unsubscribe mutation',
};

export interface UnsubscribeOutcome {
  brand: Brand;
  /** This use wrote the withdrawal; false when email was already withdrawn. */
  changed: boolean;
}

/** The key that signs links, and the gateway's public address, which links point at. */
export interface UnsubscribeSettings {
  secret: string;
  publicUrl: string;
}

export interface UnsubscribeServiceDeps extends UnsubscribeSettings {
  models: Models;
  connection: Connection;
  clock: Clock;
  /** The request's loaders, when there is a request: reads after the mutation must see it. */
  loaders?: Pick<PreferenceLoaders, 'preferencesByCustomer'>;
}

/**
 * One-click unsubscribe links: made for marketing emails, honoured at once. The token is the
 * authority, so whoever holds the link may use it; it withdraws that brand's marketing email
 * and nothing else, through the same chained write as `setPreferences`.
 */
export class UnsubscribeService {
  constructor(private readonly deps: UnsubscribeServiceDeps) {}

  /** The link to put in an email to this customer from this brand. */
  async linkFor(customerId: string, brand: Brand): Promise<string> {
    const id = parseObjectId(customerId);
    const known = id && (await this.deps.models.Customer.exists({ _id: id }));
    if (!id || !known) throw new NotFoundError('No customer has this id', 'customerId');
    const token = signUnsubscribeToken(
      this.deps.secret,
      { customerId: id.toHexString(), brand },
      this.deps.clock.now(),
    );
    return `${this.deps.publicUrl}/unsubscribe?token=${token}`;
  }

  /** The brand a token names, or undefined for anything this server did not sign. */
  brandOf(token: string): Brand | undefined {
    return verifyUnsubscribeToken(this.deps.secret, token, this.deps.clock.now())?.brand;
  }

  /**
   * Withdraws the brand's marketing email; undefined for a token that is not valid or names no
   * customer. Using a link again writes nothing more.
   */
  async unsubscribe(
    token: string,
    route: UnsubscribeRoute,
  ): Promise<UnsubscribeOutcome | undefined> {
    const grant = verifyUnsubscribeToken(this.deps.secret, token, this.deps.clock.now());
    if (!grant) return undefined;
    const customer = await this.deps.models.Customer.findById(grant.customerId, {
      mergedInto: 1,
    }).lean();
    if (!customer) return undefined;
    // A customer staff merged into another lives on there: the opt-out follows them.
    const customerId = customer.mergedInto ?? customer._id;
    const { outcome } = await writePreferences(this.deps, {
      customerId,
      brand: grant.brand,
      requested: [{ subject: { kind: 'channel', channel: Channel.EMAIL }, granted: false }],
      source: ConsentSource.EMAIL_UNSUBSCRIBE,
      evidence: `${ROUTE_EVIDENCE[route]}; link made ${grant.issuedAt.toISOString()}`,
      actor: { role: 'customer', subject: customerId.toHexString() },
    });
    this.deps.loaders?.preferencesByCustomer.clear(customerId.toHexString());
    return { brand: grant.brand, changed: outcome.events.length > 0 };
  }

  /** The mutation's way in: a token that is not valid is BAD_USER_INPUT, and writes nothing. */
  async redeem(token: string): Promise<UnsubscribeOutcome> {
    const outcome = await this.unsubscribe(token, 'api');
    if (!outcome) throw new BadUserInputError('token', 'is not a valid unsubscribe link');
    return outcome;
  }
}
