import { type Connection } from 'mongoose';

import { type TokenVerifier } from '../auth/verify-token';
import { isAuthenticated, type Viewer } from '../auth/viewer';
import { type Clock } from '../clock';
import { type DateBounds } from '../config';
import { type Models } from '../db/models';
import { type Logger } from '../logger';
import { CustomerAccess } from '../modules/customers/customer.access';
import { createCustomerLoaders, type CustomerLoaders } from '../modules/customers/customer.loaders';
import { CustomerService } from '../modules/customers/customer.service';
import { PossibleMatchService } from '../modules/customers/possible-match.service';
import {
  UnsubscribeService,
  type UnsubscribeSettings,
} from '../modules/opt-outs/unsubscribe.service';
import { type LoyaltyRule } from '../modules/loyalty/lib/rules';
import { PostalRequestService } from '../modules/opt-outs/postal-request.service';
import { LoyaltyService } from '../modules/loyalty/loyalty.service';
import { type PushTopics } from '../modules/preferences/lib/push-topics';
import {
  createPreferenceLoaders,
  type PreferenceLoaders,
} from '../modules/preferences/preference.loaders';
import { PreferenceService } from '../modules/preferences/preference.service';
import { createQuoteLoaders, type QuoteLoaders } from '../modules/quotes/quote.loaders';
import { QuoteService } from '../modules/quotes/quote.service';

export type Loaders = CustomerLoaders & QuoteLoaders & PreferenceLoaders;

export interface Services {
  customers: CustomerService;
  possibleMatches: PossibleMatchService;
  quotes: QuoteService;
  loyalty: LoyaltyService;
  preferences: PreferenceService;
  unsubscribe: UnsubscribeService;
  postalRequests: PostalRequestService;
}

/**
 * What the one log line of a request says besides its status and duration; filled in as the
 * request goes (caller, operation, error codes). Ids and codes only, never personal data.
 */
export interface RequestRecord {
  requestId: string;
  role?: string;
  subject?: string;
  operationName?: string;
  /** `query`, `mutation` or `subscription`, once the operation is known. */
  operationType?: string;
  errorCodes: string[];
}

/** Everything one GraphQL request sees; built fresh for each request by `createContext`. */
export interface Context {
  requestId: string;
  requestRecord: RequestRecord;
  logger: Logger;
  viewer: Viewer;
  /** What this viewer may read; shared by the permission rules and the services' list filters. */
  access: CustomerAccess;
  clock: Clock;
  models: Models;
  loaders: Loaders;
  services: Services;
}

/** What lives as long as the process and is shared by every request. */
export interface ContextDeps {
  connection: Connection;
  models: Models;
  clock: Clock;
  logger: Logger;
  loyaltyRules: readonly LoyaltyRule[];
  dateBounds: DateBounds;
  pushTopics: PushTopics;
  unsubscribe: UnsubscribeSettings;
  verifyToken: TokenVerifier;
}

export interface RequestInfo {
  record: RequestRecord;
  authorization?: string;
}

/** Verifies the caller (a bad token fails the whole request) and wires fresh loaders. */
export async function createContext(deps: ContextDeps, request: RequestInfo): Promise<Context> {
  const { record } = request;
  const logger = deps.logger.child({ requestId: record.requestId });
  const viewer = await deps.verifyToken(request.authorization);
  record.role = viewer.role;
  if (isAuthenticated(viewer)) record.subject = viewer.subject;
  const { models, connection, clock, dateBounds } = deps;
  const loaders: Loaders = {
    ...createCustomerLoaders(models),
    ...createQuoteLoaders(models),
    ...createPreferenceLoaders(models),
  };
  const access = new CustomerAccess(viewer, {
    accountBrandsOf: async (customerId) =>
      (await loaders.accountsByCustomer.load(customerId)).map((account) => account.brand),
    hasQuotes: async (customerId) => (await loaders.quoteCount.load({ customerId })) > 0,
  });
  return {
    requestId: record.requestId,
    requestRecord: record,
    logger,
    viewer,
    access,
    clock,
    models,
    loaders,
    services: {
      customers: new CustomerService({ models, connection, loaders, clock, access, dateBounds }),
      possibleMatches: new PossibleMatchService({
        models,
        connection,
        clock,
        loaders,
      }),
      quotes: new QuoteService({ models, loaders, clock, dateBounds }),
      loyalty: new LoyaltyService({ rules: deps.loyaltyRules, loaders, clock }),
      unsubscribe: new UnsubscribeService({
        models,
        connection,
        clock,
        ...deps.unsubscribe,
        loaders,
      }),
      postalRequests: new PostalRequestService({ models, connection, clock, loaders }),
      preferences: new PreferenceService({
        models,
        connection,
        clock,
        pushTopics: deps.pushTopics,
        loaders,
      }),
    },
  };
}
