/**
 * The four scenarios every server under test answers: the GraphQL documents (each named, so the
 * floor servers can tell them apart without parsing GraphQL) and the requests of each run.
 */
export const SCENARIOS = ['myAccount', 'crmList', 'sendTimeCheck', 'preferenceChange'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Customers in one crmList request. */
export const CRM_LIST_SIZE = 50;

export const MY_ACCOUNT = `query MyAccount {
  me {
    id
    name { firstName lastName }
    brandAccounts { brand accountId membership { scheme since } }
    preferences { brand email sms post phone version }
    quotes(first: 20) {
      totalCount
      edges { node { id reference status premium { amount } createdAt } }
    }
    loyalty { eligibleDiscounts { code percentage reason } }
  }
}`;

export const CRM_LIST = `query CrmList($ids: [ID!]!) {
  customers(ids: $ids) {
    id
    name { firstName lastName }
    brandAccounts { brand accountId membership { scheme since } }
    quotes(first: 5) {
      totalCount
      edges { node { id reference status premium { amount } createdAt } }
    }
    loyalty { eligibleDiscounts { code percentage reason } }
  }
}`;

// asOf is left out: it is the time of the answer, so no two answers would be equal.
export const SEND_TIME_CHECK = `query SendTimeCheck($customerId: ID!) {
  contactPermission(customerId: $customerId, brand: WAITROSE, channel: EMAIL) {
    allowed
    reason
    version
  }
}`;

// Toggles John Lewis text messages: no other scenario reads them, so the reference answers of
// the read scenarios stay true while this one runs.
export const PREFERENCE_CHANGE = `mutation PreferenceChange($sms: Boolean!) {
  setPreferences(input: { brand: JOHN_LEWIS, sms: $sms, source: WEB }) {
    preferences { brand sms }
    changes { channel granted }
  }
}`;

/** One request of a run: what is sent, and how its answer is judged. */
export interface BenchRequest {
  body: string;
  token: string;
  /**
   * The exact response body every server must give (the floors produce the same bytes); when
   * the bytes differ, the parsed body must still be deeply equal. Absent for the mutation,
   * whose answer depends on what concurrent requests did: `sms` then says what it must be.
   */
  expected?: string;
  sms?: boolean;
}

export function graphqlBody(
  query: string,
  operationName: string,
  variables: Record<string, unknown> = {},
): string {
  return JSON.stringify({ query, operationName, variables });
}

/** What each server reports about itself over IPC. */
export interface ServerReport {
  maxRssMb: number;
}

/** The message a server sends its parent once it listens. */
export interface ServerReady {
  port: number;
}
