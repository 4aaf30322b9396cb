import 'reflect-metadata';

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { jwtVerify } from 'jose';
import { type Document, MongoClient, ObjectId } from 'mongodb';

import { TOKEN_AUDIENCE } from '../../src/auth/tokens';
import { type AuthenticatedViewer, type Viewer } from '../../src/auth/viewer';
import { Brand } from '../../src/modules/customers/brand';
import { describeGrounds } from '../../src/modules/loyalty/lib/describe';
import { evaluateLoyalty } from '../../src/modules/loyalty/lib/evaluate';
import { loadLoyaltyRules } from '../../src/modules/loyalty/lib/rules';
import { evidenceVisibility } from '../../src/modules/loyalty/lib/visibility';
import {
  consentKey,
  stateOf,
  type ConsentSubject,
} from '../../src/modules/preferences/lib/consents';
import { type ConsentEntryRecord } from '../../src/modules/preferences/preference.model';
import { decideContactPermission } from '../../src/modules/preferences/lib/contact-permission';
import {
  Channel,
  ConsentState,
  ContactPurpose,
} from '../../src/modules/preferences/preference.enums';
import { writePreferences } from '../../src/modules/preferences/preference.service';
import { formatMinor } from '../../src/modules/quotes/lib/money';
import { openConnection } from '../../src/db/connection';
import { createModels } from '../../src/db/models';
import { systemClock } from '../../src/clock';
import { reportToParent } from './control';

/**
 * The floor: plain node:http, the raw driver, JSON.stringify, no GraphQL. Each answer takes the
 * fewest database commands that data allows (the token names the customer, so every read of
 * one request goes out at once), with projections; the business rules (loyalty wording,
 * consent states) are the gateway's own pure functions, so the answers are the same bytes.
 * setPreferences calls the gateway's own transaction function: the write is the floor there.
 */
const rules = loadLoyaltyRules();
const BRANDS = Object.values(Brand);
const ACCOUNT_FIELDS = { _id: 0, customerId: 1, brand: 1, accountId: 1, membership: 1 };
const QUOTE_FIELDS = {
  customerId: 1,
  reference: 1,
  status: 1,
  premium: 1,
  createdAt: 1,
  product: 1,
};

function granted(consents: Record<string, ConsentEntryRecord>, channel: Channel): boolean {
  const subject = { kind: 'channel', channel } as ConsentSubject;
  return stateOf(consents[consentKey(subject)]) === ConsentState.GRANTED;
}

function brandAccounts(accounts: Document[]) {
  return accounts.map((account) => ({
    brand: account.brand,
    accountId: account.accountId,
    membership: account.membership
      ? {
          scheme: account.membership.scheme,
          since: account.membership.since.toISOString().slice(0, 10),
        }
      : null,
  }));
}

function quoteNode(quote: Document) {
  return {
    node: {
      id: quote._id.toHexString(),
      reference: quote.reference,
      status: quote.status,
      premium: { amount: formatMinor(quote.premium.amountMinor) },
      createdAt: quote.createdAt.toISOString(),
    },
  };
}

function discounts(
  viewer: Viewer,
  customerId: string,
  accounts: Document[],
  purchases: Document[],
) {
  const memberships = accounts.flatMap((account) =>
    account.membership ? [account.membership] : [],
  );
  const visibility = evidenceVisibility(viewer, customerId);
  return evaluateLoyalty(rules, { memberships, purchases } as never, systemClock.now()).map(
    ({ rule, grounds }) => ({
      code: rule.code,
      percentage: rule.percentage,
      reason: describeGrounds(grounds, visibility),
    }),
  );
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI ?? '';
  const databaseName = process.env.MONGODB_DATABASE ?? '';
  const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET ?? '');
  const client = await new MongoClient(uri).connect();
  const db = client.db(databaseName);
  const customers = db.collection('customers');
  const accountsOf = db.collection('brandAccounts');
  const quotes = db.collection('quotes');
  const preferences = db.collection('brandPreferences');
  // The write goes through mongoose (the gateway's transaction function) on its own connection.
  const connection = await openConnection(uri, databaseName, { timeoutMs: 5000 });
  const models = createModels(connection);

  async function myAccount(viewer: AuthenticatedViewer) {
    const id = new ObjectId(viewer.subject);
    const [customer, accounts, stored, [facets]] = await Promise.all([
      customers.findOne({ _id: id }, { projection: { name: 1 } }),
      accountsOf
        .find({ customerId: id }, { projection: ACCOUNT_FIELDS })
        .sort({ linkedAt: 1, _id: 1 })
        .toArray(),
      preferences
        .find({ customerId: id }, { projection: { brand: 1, consents: 1, version: 1 } })
        .toArray(),
      quotes
        .aggregate([
          { $match: { customerId: id } },
          { $project: QUOTE_FIELDS },
          {
            $facet: {
              page: [{ $sort: { createdAt: -1, _id: -1 } }, { $limit: 20 }],
              count: [{ $count: 'n' }],
              purchased: [{ $match: { status: 'PURCHASED' } }, { $sort: { createdAt: 1, _id: 1 } }],
            },
          },
        ])
        .toArray(),
    ]);
    if (!customer) throw new Error('no such customer');
    return {
      me: {
        id: viewer.subject,
        name: { firstName: customer.name.firstName, lastName: customer.name.lastName },
        brandAccounts: brandAccounts(accounts),
        preferences: BRANDS.map((brand) => {
          const record = stored.find((each) => each.brand === brand);
          const consents = record?.consents ?? {};
          return {
            brand,
            email: granted(consents, Channel.EMAIL),
            sms: granted(consents, Channel.SMS),
            post: granted(consents, Channel.POST),
            phone: granted(consents, Channel.PHONE),
            version: record?.version ?? 0,
          };
        }),
        quotes: { totalCount: facets.count[0]?.n ?? 0, edges: facets.page.map(quoteNode) },
        loyalty: {
          eligibleDiscounts: discounts(viewer, viewer.subject, accounts, facets.purchased),
        },
      },
    };
  }

  async function crmList(viewer: Viewer, ids: string[]) {
    const objectIds = ids.map((id) => new ObjectId(id));
    const scope = { customerId: { $in: objectIds } };
    const [found, accounts, [facets]] = await Promise.all([
      customers.find({ _id: { $in: objectIds } }, { projection: { name: 1 } }).toArray(),
      accountsOf
        .find(scope, { projection: ACCOUNT_FIELDS })
        .sort({ linkedAt: 1, _id: 1 })
        .toArray(),
      quotes
        .aggregate([
          { $match: scope },
          { $project: QUOTE_FIELDS },
          {
            $facet: {
              pages: [
                { $sort: { customerId: 1, createdAt: -1, _id: -1 } },
                {
                  $group: {
                    _id: '$customerId',
                    count: { $sum: 1 },
                    quotes: { $firstN: { input: '$$ROOT', n: 5 } },
                  },
                },
              ],
              purchased: [{ $match: { status: 'PURCHASED' } }, { $sort: { createdAt: 1, _id: 1 } }],
            },
          },
        ])
        .toArray(),
    ]);
    const byId = new Map(found.map((customer) => [customer._id.toHexString(), customer]));
    const group = (documents: Document[]) => {
      const groups = new Map<string, Document[]>();
      for (const document of documents) {
        const key = document.customerId.toHexString();
        const list = groups.get(key);
        if (list) list.push(document);
        else groups.set(key, [document]);
      }
      return groups;
    };
    const accountsById = group(accounts);
    const purchasedById = group(facets.purchased);
    const pages = new Map<string, Document>(
      facets.pages.map((page: Document) => [page._id.toHexString(), page]),
    );
    return {
      customers: ids.map((id) => {
        const customer = byId.get(id);
        if (!customer) return null;
        const own = accountsById.get(id) ?? [];
        const page = pages.get(id);
        return {
          id,
          name: { firstName: customer.name.firstName, lastName: customer.name.lastName },
          brandAccounts: brandAccounts(own),
          quotes: { totalCount: page?.count ?? 0, edges: (page?.quotes ?? []).map(quoteNode) },
          loyalty: { eligibleDiscounts: discounts(viewer, id, own, purchasedById.get(id) ?? []) },
        };
      }),
    };
  }

  async function sendTimeCheck(customerId: string) {
    const id = new ObjectId(customerId);
    const [customer, stored] = await Promise.all([
      customers.findOne({ _id: id }, { projection: { _id: 1 } }),
      preferences.findOne(
        { customerId: id, brand: Brand.WAITROSE },
        { projection: { consents: 1, version: 1 } },
      ),
    ]);
    if (!customer) throw new Error('no such customer');
    const answer = decideContactPermission({
      brand: Brand.WAITROSE,
      channel: Channel.EMAIL,
      purpose: ContactPurpose.MARKETING,
      consents: stored?.consents ?? {},
    });
    return { contactPermission: { ...answer, version: stored?.version ?? 0 } };
  }

  async function preferenceChange(viewer: AuthenticatedViewer, sms: boolean) {
    const { outcome } = await writePreferences(
      { models, connection, clock: systemClock },
      {
        customerId: new ObjectId(viewer.subject),
        brand: Brand.JOHN_LEWIS,
        requested: [{ subject: { kind: 'channel', channel: Channel.SMS }, granted: sms }],
        source: 'WEB' as never,
        actor: { role: viewer.role, subject: viewer.subject },
      },
    );
    return {
      setPreferences: {
        preferences: {
          brand: Brand.JOHN_LEWIS,
          sms: granted(outcome.state.consents, Channel.SMS),
        },
        changes: outcome.events.map((event) => ({
          channel: event.channel ?? null,
          granted: event.granted,
        })),
      },
    };
  }

  async function answer(req: IncomingMessage, body: string): Promise<unknown> {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const { payload } = await jwtVerify(token, secret, {
      audience: TOKEN_AUDIENCE,
      algorithms: ['HS256'],
    });
    const viewer = { role: payload.role, subject: payload.sub } as AuthenticatedViewer;
    const request = JSON.parse(body) as { operationName: string; variables: Document };
    switch (request.operationName) {
      case 'MyAccount':
        return myAccount(viewer);
      case 'CrmList':
        return crmList(viewer, request.variables.ids);
      case 'SendTimeCheck':
        return sendTimeCheck(request.variables.customerId);
      case 'PreferenceChange':
        return preferenceChange(viewer, request.variables.sms);
      default:
        throw new Error(`unknown operation ${request.operationName}`);
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      answer(req, Buffer.concat(chunks).toString('utf8')).then(
        (data) => {
          const bytes = JSON.stringify({ data });
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(bytes);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
        },
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  reportToParent((server.address() as AddressInfo).port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
