import 'reflect-metadata';

import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { applyMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import { jwtVerify } from 'jose';
import { type HydratedDocument, type Types } from 'mongoose';
import {
  Arg,
  Args,
  ArgsType,
  buildSchema,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';

import { TOKEN_AUDIENCE } from '../../src/auth/tokens';
import { type AuthenticatedViewer } from '../../src/auth/viewer';
import { systemClock } from '../../src/clock';
import { openConnection } from '../../src/db/connection';
import { createModels, type Models } from '../../src/db/models';
import { DateScalar, scalarsMap } from '../../src/graphql/scalars';
import { Brand, MembershipScheme } from '../../src/modules/customers/brand';
import { type CustomerRecord } from '../../src/modules/customers/customer.model';
import { describeGrounds } from '../../src/modules/loyalty/lib/describe';
import { evaluateLoyalty } from '../../src/modules/loyalty/lib/evaluate';
import { loadLoyaltyRules } from '../../src/modules/loyalty/lib/rules';
import { evidenceVisibility } from '../../src/modules/loyalty/lib/visibility';
import { consentKey, stateOf } from '../../src/modules/preferences/lib/consents';
import { decideContactPermission } from '../../src/modules/preferences/lib/contact-permission';
import {
  Channel,
  ConsentSource,
  ConsentState,
  ContactPurpose,
} from '../../src/modules/preferences/preference.enums';
import { type BrandPreferenceRecord } from '../../src/modules/preferences/preference.model';
import { writePreferences } from '../../src/modules/preferences/preference.service';
import { encodeCursor } from '../../src/modules/quotes/lib/cursor';
import { formatMinor } from '../../src/modules/quotes/lib/money';
import { QuoteStatus } from '../../src/modules/quotes/quote.enums';
import { type QuoteRecord } from '../../src/modules/quotes/quote.model';
import { reportToParent } from './control';

/**
 * The naive peer: the same API for the four scenarios, built the way a team new to this stack
 * builds it. Every field resolver asks mongoose for what it needs, hydrated; no DataLoader, so
 * fifty customers mean fifty of each query; graphql-shield on every field with its defaults;
 * the key imported on every token check. Business rules and the preference write are the
 * gateway's own, so its answers are the same bytes.
 */
interface NaiveContext {
  viewer: AuthenticatedViewer;
  models: Models;
}

type CustomerDocument = HydratedDocument<CustomerRecord>;
type QuoteDocument = HydratedDocument<QuoteRecord>;

const rules = loadLoyaltyRules();

@ObjectType('PersonName')
class NaiveName {
  @Field() firstName!: string;
  @Field() lastName!: string;
}

@ObjectType('Membership')
class NaiveMembership {
  @Field(() => MembershipScheme) scheme!: MembershipScheme;
  @Field(() => DateScalar) since!: Date;
}

@ObjectType('BrandAccount')
class NaiveBrandAccount {
  @Field(() => Brand) brand!: Brand;
  @Field() accountId!: string;
  @Field(() => NaiveMembership, { nullable: true }) membership?: NaiveMembership;
}

@ObjectType('BrandPreferences')
class NaivePreferences {
  @Field(() => Brand) brand!: Brand;
  /** Not in the API: the stored document, when there is one. */
  record?: HydratedDocument<BrandPreferenceRecord> | null;
}

@ObjectType('Money')
class NaiveMoney {
  @Field() amount!: string;
}

@ObjectType('Quote')
class NaiveQuote {
  @Field() reference!: string;
  @Field(() => QuoteStatus) status!: QuoteStatus;
  @Field() createdAt!: Date;
}

@ObjectType('QuoteEdge')
class NaiveQuoteEdge {
  @Field() cursor!: string;
  @Field(() => NaiveQuote) node!: NaiveQuote;
}

@ObjectType('QuoteConnection')
class NaiveQuoteConnection {
  customerId!: Types.ObjectId;
  first!: number;
}

@ObjectType('DiscountEligibility')
class NaiveDiscount {
  @Field() code!: string;
  @Field(() => Int) percentage!: number;
  @Field() reason!: string;
}

@ObjectType('Loyalty')
class NaiveLoyalty {
  customer!: CustomerDocument;
}

@ObjectType('Customer')
class NaiveCustomer {
  @Field(() => NaiveName) name!: NaiveName;
}

@ObjectType('ContactPermission')
class NaiveContactPermission {
  @Field() allowed!: boolean;
  @Field() reason!: string;
  @Field(() => Int) version!: number;
}

@ObjectType('ConsentEvent')
class NaiveConsentEvent {
  @Field(() => Channel, { nullable: true }) channel?: Channel;
  @Field() granted!: boolean;
}

@ObjectType('SetPreferencesPayload')
class NaiveSetPreferencesPayload {
  @Field(() => NaivePreferences) preferences!: NaivePreferences;
  @Field(() => [NaiveConsentEvent]) changes!: NaiveConsentEvent[];
}

@InputType('SetPreferencesInput')
class NaiveSetPreferencesInput {
  @Field(() => Brand) brand!: Brand;
  @Field(() => Boolean, { nullable: true }) sms?: boolean;
  @Field(() => ConsentSource) source!: ConsentSource;
}

@ArgsType()
class NaiveContactPermissionArgs {
  @Field(() => ID) customerId!: string;
  @Field(() => Brand) brand!: Brand;
  @Field(() => Channel) channel!: Channel;
}

@Resolver(() => NaiveCustomer)
class NaiveCustomerResolver {
  @Query(() => NaiveCustomer)
  async me(@Ctx() { viewer, models }: NaiveContext) {
    const customer = await models.Customer.findById(viewer.subject);
    if (!customer) throw new Error('not found');
    return customer;
  }

  @Query(() => [NaiveCustomer], { nullable: 'items' })
  customers(@Arg('ids', () => [ID]) ids: string[], @Ctx() { models }: NaiveContext) {
    return Promise.all(ids.map((id) => models.Customer.findById(id)));
  }

  @FieldResolver(() => ID)
  id(@Root() customer: CustomerDocument) {
    return customer._id.toHexString();
  }

  @FieldResolver(() => [NaiveBrandAccount])
  brandAccounts(@Root() customer: CustomerDocument, @Ctx() { models }: NaiveContext) {
    return models.BrandAccount.find({ customerId: customer._id }).sort({ linkedAt: 1, _id: 1 });
  }

  @FieldResolver(() => [NaivePreferences])
  preferences(@Root() customer: CustomerDocument, @Ctx() { models }: NaiveContext) {
    return Promise.all(
      Object.values(Brand).map(async (brand) => ({
        brand,
        record: await models.BrandPreference.findOne({ customerId: customer._id, brand }),
      })),
    );
  }

  @FieldResolver(() => NaiveQuoteConnection)
  quotes(@Root() customer: CustomerDocument, @Arg('first', () => Int) first: number) {
    return { customerId: customer._id, first };
  }

  @FieldResolver(() => NaiveLoyalty)
  loyalty(@Root() customer: CustomerDocument) {
    return { customer };
  }
}

@Resolver(() => NaivePreferences)
class NaivePreferencesResolver {
  private granted(preferences: NaivePreferences, channel: Channel): boolean {
    const entry = preferences.record?.consents as unknown as Map<string, { state: ConsentState }>;
    return (
      stateOf(entry?.get(consentKey({ kind: 'channel', channel } as never)) as never) ===
      ConsentState.GRANTED
    );
  }

  @FieldResolver(() => Boolean)
  email(@Root() preferences: NaivePreferences) {
    return this.granted(preferences, Channel.EMAIL);
  }

  @FieldResolver(() => Boolean)
  sms(@Root() preferences: NaivePreferences) {
    return this.granted(preferences, Channel.SMS);
  }

  @FieldResolver(() => Boolean)
  post(@Root() preferences: NaivePreferences) {
    return this.granted(preferences, Channel.POST);
  }

  @FieldResolver(() => Boolean)
  phone(@Root() preferences: NaivePreferences) {
    return this.granted(preferences, Channel.PHONE);
  }

  @FieldResolver(() => Int)
  version(@Root() preferences: NaivePreferences) {
    return preferences.record?.version ?? 0;
  }
}

@Resolver(() => NaiveQuoteConnection)
class NaiveQuoteConnectionResolver {
  @FieldResolver(() => Int)
  totalCount(@Root() connection: NaiveQuoteConnection, @Ctx() { models }: NaiveContext) {
    return models.Quote.countDocuments({ customerId: connection.customerId });
  }

  @FieldResolver(() => [NaiveQuoteEdge])
  async edges(@Root() connection: NaiveQuoteConnection, @Ctx() { models }: NaiveContext) {
    const quotes = await models.Quote.find({ customerId: connection.customerId })
      .sort({ createdAt: -1, _id: -1 })
      .limit(connection.first);
    return quotes.map((quote) => ({
      cursor: encodeCursor({ createdAt: quote.createdAt, id: quote._id }),
      node: quote,
    }));
  }
}

@Resolver(() => NaiveQuote)
class NaiveQuoteResolver {
  @FieldResolver(() => ID)
  id(@Root() quote: QuoteDocument) {
    return quote._id.toHexString();
  }

  @FieldResolver(() => NaiveMoney)
  premium(@Root() quote: QuoteDocument) {
    return { amount: formatMinor(quote.premium.amountMinor) };
  }
}

@Resolver(() => NaiveLoyalty)
class NaiveLoyaltyResolver {
  @FieldResolver(() => [NaiveDiscount])
  async eligibleDiscounts(@Root() { customer }: NaiveLoyalty, @Ctx() ctx: NaiveContext) {
    const accounts = await ctx.models.BrandAccount.find({ customerId: customer._id });
    const purchases = await ctx.models.Quote.find({
      customerId: customer._id,
      status: QuoteStatus.PURCHASED,
    }).sort({ createdAt: 1, _id: 1 });
    const memberships = accounts.flatMap((account) =>
      account.membership ? [account.membership] : [],
    );
    const visibility = evidenceVisibility(ctx.viewer, customer._id.toHexString());
    return evaluateLoyalty(rules, { memberships, purchases }, systemClock.now()).map(
      ({ rule: applied, grounds }) => ({
        code: applied.code,
        percentage: applied.percentage,
        reason: describeGrounds(grounds, visibility),
      }),
    );
  }
}

@Resolver()
class NaivePreferenceOperations {
  @Query(() => NaiveContactPermission)
  async contactPermission(
    @Args(() => NaiveContactPermissionArgs) args: NaiveContactPermissionArgs,
    @Ctx() { models }: NaiveContext,
  ) {
    const customer = await models.Customer.findById(args.customerId);
    if (!customer) throw new Error('not found');
    const stored = await models.BrandPreference.findOne({
      customerId: customer._id,
      brand: args.brand,
    });
    const consents = Object.fromEntries(
      (stored?.consents as unknown as Map<string, never> | undefined) ?? [],
    );
    const answer = decideContactPermission({
      brand: args.brand,
      channel: args.channel,
      purpose: ContactPurpose.MARKETING,
      consents,
    });
    return { ...answer, version: stored?.version ?? 0 };
  }

  @Mutation(() => NaiveSetPreferencesPayload)
  async setPreferences(
    @Arg('input', () => NaiveSetPreferencesInput) input: NaiveSetPreferencesInput,
    @Ctx() { viewer, models }: NaiveContext,
  ) {
    const customer = await models.Customer.findById(viewer.subject);
    if (!customer) throw new Error('not found');
    const { outcome } = await writePreferences(
      { models, connection: models.Customer.db, clock: systemClock },
      {
        customerId: customer._id,
        brand: input.brand,
        requested: [{ subject: { kind: 'channel', channel: Channel.SMS }, granted: !!input.sms }],
        source: input.source,
        actor: { role: viewer.role, subject: viewer.subject },
      },
    );
    const record = await models.BrandPreference.findOne({
      customerId: customer._id,
      brand: input.brand,
    });
    return { preferences: { brand: input.brand, record }, changes: outcome.events };
  }
}

const isAuthenticated = rule()((_parent, _args, { viewer }: NaiveContext) => !!viewer);
const hasRole = (...roles: string[]) =>
  rule(`role:${roles.join('|')}`)((_parent, _args, { viewer }: NaiveContext) =>
    roles.includes(viewer.role),
  );
const isCustomer = hasRole('customer');
const canSeeCustomer = rule({ cache: 'no_cache' })(
  (customer: CustomerDocument, _args, { viewer }: NaiveContext) =>
    viewer.role === 'staff' ||
    (viewer.role === 'customer' && customer._id.toHexString() === viewer.subject),
);

/** Every field of every type named, as a team following the shield guide writes it. */
const permissions = shield(
  {
    Query: {
      me: isCustomer,
      customers: hasRole('staff'),
      contactPermission: hasRole('marketing', 'staff'),
    },
    Mutation: { setPreferences: isCustomer },
    Customer: canSeeCustomer,
    PersonName: isAuthenticated,
    BrandAccount: isAuthenticated,
    Membership: isAuthenticated,
    BrandPreferences: isAuthenticated,
    QuoteConnection: isAuthenticated,
    QuoteEdge: isAuthenticated,
    Quote: isAuthenticated,
    Money: isAuthenticated,
    Loyalty: isAuthenticated,
    DiscountEligibility: isAuthenticated,
    ContactPermission: isAuthenticated,
    SetPreferencesPayload: isAuthenticated,
    ConsentEvent: allow,
  },
  { fallbackRule: deny, allowExternalErrors: true },
);

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI ?? '';
  const connection = await openConnection(uri, process.env.MONGODB_DATABASE ?? '', {
    timeoutMs: 5000,
  });
  const models = createModels(connection);
  const schema = await buildSchema({
    resolvers: [
      NaiveCustomerResolver,
      NaivePreferencesResolver,
      NaiveQuoteConnectionResolver,
      NaiveQuoteResolver,
      NaiveLoyaltyResolver,
      NaivePreferenceOperations,
    ],
    scalarsMap,
    validate: false,
  });
  const apollo = new ApolloServer<NaiveContext>({ schema: applyMiddleware(schema, permissions) });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const token = (req.get('authorization') ?? '').replace(/^Bearer /, '');
        const { payload } = await jwtVerify(
          token,
          new TextEncoder().encode(process.env.AUTH_JWT_SECRET),
          { audience: TOKEN_AUDIENCE },
        );
        return {
          viewer: { role: payload.role, subject: payload.sub } as AuthenticatedViewer,
          models,
        };
      },
    }),
  );
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  reportToParent((server.address() as AddressInfo).port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
