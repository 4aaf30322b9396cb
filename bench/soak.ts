import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { type TokenClaims } from '../src/auth/tokens';
import { Brand } from '../src/modules/customers/brand';

/** What a soak run needs: a gateway on loopback, on a database of its own, and its token key. */
export interface SoakOptions {
  /** The gateway's /graphql URL. */
  url: string;
  sign(claims: TokenClaims): Promise<string>;
  /** How long the callers keep going; the run stops by itself after it. */
  durationMs: number;
  /** Simulated callers, each a customer of its own (the only writer of its preferences). */
  callers: number;
}

/**
 * Requests each caller makes even when the duration has passed: on a loaded machine a short
 * run still does every kind of request (the mix below repeats every ten steps).
 */
const MINIMUM_STEPS = 10;

type Action = 'profile' | 'setPreferences' | 'contactPermission' | 'preferenceChanges';

/** The figures of one run; `problems` is empty when every check held. */
export interface SoakReport {
  durationMs: number;
  callers: number;
  requests: number;
  requestsPerSecond: number;
  byAction: Record<Action, number>;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Error codes seen in responses, by code (none expected). */
  errorCodes: Record<string, number>;
  acknowledgedChanges: number;
  storedEvents: number;
  feedEvents: number;
  trailsVerified: number;
  heapStartMiB: number;
  heapEndMiB: number;
  problems: string[];
}

const BRANDS = [Brand.JOHN_LEWIS, Brand.WAITROSE, Brand.JOHN_LEWIS_FINANCE];
const CHANNELS = ['email', 'sms', 'post', 'phone'] as const;
type Channel = (typeof CHANNELS)[number];
type Preferences = Record<Channel, boolean> & { brand: string; version: number };

const REPORT_ACCOUNT = `mutation ($input: BrandAccountInput!) { upsertBrandAccount(input: $input) { id } }`;
const PROFILE = `{ me { id name { firstName } brandAccounts { brand accountId }
  loyalty { eligibleDiscounts { code } } preferences { brand email version } } }`;
const SET_PREFERENCES = `mutation ($input: SetPreferencesInput!) {
  setPreferences(input: $input) {
    preferences { brand email sms post phone version }
    changes { id }
  }
}`;
const CONTACT_PERMISSION = `query ($id: ID!, $brand: Brand!) {
  contactPermission(customerId: $id, brand: $brand, channel: EMAIL) { allowed reason version }
}`;
const FEED = `query ($after: String) {
  preferenceChanges(after: $after, first: 100) {
    edges { node { id customerId } }
    pageInfo { endCursor hasNextPage }
  }
}`;
const STORED = `query ($id: ID!) {
  customer(id: $id) { preferences { brand email sms post phone version } }
  verifyConsentTrail(customerId: $id) { valid events firstBrokenEventId }
}`;

/** A garbage collection now, so that heap figures measure what is still referenced. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapMiB(): number {
  collectGarbage();
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
}

/** One customer and what its caller was told was stored. */
interface Customer {
  id: string;
  token: string;
  /** Each brand's preferences as the last acknowledged change returned them. */
  acknowledged: Map<string, Preferences>;
  acknowledgedEvents: string[];
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * `npm run soak` and its short run in `npm test`: callers mixing profile reads, preference
 * changes, contact checks and change-feed reads for `durationMs`, then the checks: every
 * acknowledged change stored with exactly one consent event, every trail verifying, the feed
 * holding every event once, no 5xx, and the heap back near where it started.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const run = randomBytes(3).toString('hex');
  const statuses: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const byAction: Record<Action, number> = {
    profile: 0,
    setPreferences: 0,
    contactPermission: 0,
    preferenceChanges: 0,
  };
  const problems: string[] = [];

  async function call(query: string, variables: Record<string, unknown>, token: string) {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const body = (await response.json()) as GraphQLBody;
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code ?? 'NONE';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
    return { status: response.status, body };
  }

  const brandTokens = new Map(
    await Promise.all(
      BRANDS.map(
        async (brand) =>
          [brand, await options.sign({ role: 'brand', sub: `soak-${brand}`, brand })] as const,
      ),
    ),
  );
  const marketing = await options.sign({ role: 'marketing', sub: 'soak-campaigns' });
  const staff = await options.sign({ role: 'staff', sub: 'soak-staff' });

  const customers: Customer[] = [];
  for (let index = 0; index < options.callers; index += 1) {
    const brand = BRANDS[index % 2];
    const input = {
      brand,
      accountId: `SOAK-${run}-${index}`,
      email: `soak-${run}-${index}@example.com`,
      emailVerified: true,
      name: { firstName: 'Soak', lastName: `Caller ${index}` },
    };
    const { body } = await call(REPORT_ACCOUNT, { input }, brandTokens.get(brand) ?? '');
    const id = (body.data?.upsertBrandAccount as { id: string } | undefined)?.id;
    if (!id) throw new Error(`could not report a soak account: ${JSON.stringify(body)}`);
    const token = await options.sign({ role: 'customer', sub: id });
    customers.push({ id, token, acknowledged: new Map(), acknowledgedEvents: [] });
  }

  const heapStartMiB = heapMiB();
  const started = Date.now();
  const deadline = started + options.durationMs;

  async function actAs(customer: Customer, seed: number): Promise<void> {
    let feedCursor: string | undefined;
    let step = seed;
    while (Date.now() < deadline || step - seed < MINIMUM_STEPS) {
      step += 1;
      // A fixed mix: profile reads 40%, changes 30%, contact checks 20%, feed reads 10%.
      const roll = (step * 7919) % 10;
      const brand = BRANDS[step % BRANDS.length];
      if (roll < 4) {
        byAction.profile += 1;
        await call(PROFILE, {}, customer.token);
      } else if (roll < 7) {
        byAction.setPreferences += 1;
        const channel = CHANNELS[(step >> 1) % CHANNELS.length];
        const input = {
          brand,
          [channel]: (step & 4) === 0,
          source: 'APP',
          idempotencyKey: `soak-${run}-${customer.id}-${step}`,
        };
        const { body } = await call(SET_PREFERENCES, { input }, customer.token);
        const payload = body.data?.setPreferences as
          { preferences: Preferences; changes: { id: string }[] } | undefined;
        if (payload) {
          customer.acknowledged.set(brand, payload.preferences);
          for (const change of payload.changes) customer.acknowledgedEvents.push(change.id);
        }
      } else if (roll < 9) {
        byAction.contactPermission += 1;
        await call(CONTACT_PERMISSION, { id: customer.id, brand }, marketing);
      } else {
        byAction.preferenceChanges += 1;
        const { body } = await call(FEED, { after: feedCursor }, marketing);
        const page = body.data?.preferenceChanges as
          { pageInfo: { endCursor: string | null } } | undefined;
        feedCursor = page?.pageInfo.endCursor ?? feedCursor;
      }
    }
  }

  await Promise.all(customers.map((customer, index) => actAs(customer, index * 13)));
  const durationMs = Date.now() - started;
  const requests = Object.values(byAction).reduce((sum, count) => sum + count, 0);

  // The whole feed, from the beginning: every event once.
  const feedIds = new Set<string>();
  let duplicates = 0;
  let after: string | undefined;
  for (;;) {
    const { body } = await call(FEED, { after }, staff);
    const page = body.data?.preferenceChanges as
      | { edges: { node: { id: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } }
      | undefined;
    if (!page) {
      problems.push(`the feed could not be read: ${JSON.stringify(body.errors)}`);
      break;
    }
    for (const { node } of page.edges) {
      if (feedIds.has(node.id)) duplicates += 1;
      feedIds.add(node.id);
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  if (duplicates > 0) problems.push(`the feed repeated ${duplicates} events`);

  let storedEvents = 0;
  let trailsVerified = 0;
  let acknowledgedChanges = 0;
  for (const customer of customers) {
    acknowledgedChanges += customer.acknowledgedEvents.length;
    const { body } = await call(STORED, { id: customer.id }, staff);
    const data = body.data as
      | {
          customer: { preferences: Preferences[] };
          verifyConsentTrail: { valid: boolean; events: number };
        }
      | undefined;
    if (!data) {
      problems.push(`customer ${customer.id} could not be read: ${JSON.stringify(body.errors)}`);
      continue;
    }
    storedEvents += data.verifyConsentTrail.events;
    if (data.verifyConsentTrail.valid) trailsVerified += 1;
    else problems.push(`customer ${customer.id}: the consent trail does not verify`);
    // One writer per customer: its trail holds exactly the events it was acknowledged.
    if (data.verifyConsentTrail.events !== customer.acknowledgedEvents.length) {
      problems.push(
        `customer ${customer.id}: ${customer.acknowledgedEvents.length} changes acknowledged, ` +
          `${data.verifyConsentTrail.events} events stored`,
      );
    }
    for (const [brand, acknowledged] of customer.acknowledged) {
      const stored = data.customer.preferences.find((preferences) => preferences.brand === brand);
      if (JSON.stringify(stored) !== JSON.stringify(acknowledged)) {
        problems.push(
          `customer ${customer.id} ${brand}: stored ${JSON.stringify(stored)}, ` +
            `acknowledged ${JSON.stringify(acknowledged)}`,
        );
      }
    }
    const missing = customer.acknowledgedEvents.filter((id) => !feedIds.has(id));
    if (missing.length > 0) {
      problems.push(
        `customer ${customer.id}: ${missing.length} acknowledged events not in the feed`,
      );
    }
  }
  // The database is the soak's own: the feed holds this run's events and nothing else.
  if (feedIds.size !== storedEvents) {
    problems.push(`the feed holds ${feedIds.size} events, the trails ${storedEvents}`);
  }

  const serverErrors = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  if (serverErrors > 0) problems.push(`${serverErrors} responses were 5xx`);
  if (Object.keys(errorCodes).length > 0) {
    problems.push(`errors were answered: ${JSON.stringify(errorCodes)}`);
  }

  const heapEndMiB = heapMiB();
  // Per-request state (contexts, loaders, sockets) must all be released: what stays is caches.
  const allowedGrowth = Math.max(16, heapStartMiB * 0.25);
  if (heapEndMiB - heapStartMiB > allowedGrowth) {
    problems.push(
      `heap grew from ${heapStartMiB} MiB to ${heapEndMiB} MiB (more than ${allowedGrowth} MiB)`,
    );
  }

  return {
    durationMs,
    callers: options.callers,
    requests,
    requestsPerSecond: Math.round((requests / durationMs) * 1000),
    byAction,
    statuses,
    errorCodes,
    acknowledgedChanges,
    storedEvents,
    feedEvents: feedIds.size,
    trailsVerified,
    heapStartMiB,
    heapEndMiB,
    problems,
  };
}

/** The report as lines a person reads at the end of `npm run soak`. */
export function describeSoak(report: SoakReport): string {
  return [
    `soak: ${report.callers} callers for ${(report.durationMs / 1000).toFixed(1)} s`,
    `  requests           ${report.requests} (${report.requestsPerSecond}/s): ${JSON.stringify(report.byAction)}`,
    `  HTTP statuses      ${JSON.stringify(report.statuses)}`,
    `  error codes        ${JSON.stringify(report.errorCodes)}`,
    `  changes acknowledged ${report.acknowledgedChanges}, consent events stored ${report.storedEvents}, in the feed ${report.feedEvents}`,
    `  consent trails verified ${report.trailsVerified} of ${report.callers}`,
    `  heap ${report.heapStartMiB} MiB before, ${report.heapEndMiB} MiB after`,
    report.problems.length === 0
      ? '  every check held'
      : `  PROBLEMS:\n${report.problems.map((problem) => `    - ${problem}`).join('\n')}`,
  ].join('\n');
}
