import { seed } from '../support/builders';
import { type GraphQLClient } from '../support/client';
import { staffToken, tokenFor } from '../support/tokens';

export const PREFERENCE_FIELDS = /* GraphQL */ `
  fragment Prefs on BrandPreferences {
    brand
    email
    sms
    post
    phone
    thirdPartyOffers
    quoteFollowUp
    push {
      topic
      enabled
      state
    }
    channels {
      channel
      topic
      state
      updatedAt
      source
    }
    version
    updatedAt
  }
`;

export const EVENT_FIELDS = /* GraphQL */ `
  fragment Event on ConsentEvent {
    id
    customerId
    brand
    channel
    topic
    purpose
    granted
    previous
    source
    actor {
      role
      subject
    }
    at
    evidence
    hash
  }
`;

export const SET_PREFERENCES = /* GraphQL */ `
  mutation Set($input: SetPreferencesInput!) {
    setPreferences(input: $input) {
      preferences {
        ...Prefs
      }
      changes {
        ...Event
      }
    }
  }
  ${PREFERENCE_FIELDS}
  ${EVENT_FIELDS}
`;

export const PREFERENCES = /* GraphQL */ `
  query Preferences($id: ID!, $brand: Brand) {
    customer(id: $id) {
      preferences(brand: $brand) {
        ...Prefs
      }
    }
  }
  ${PREFERENCE_FIELDS}
`;

export const MY_PREFERENCES = /* GraphQL */ `
  query MyPreferences($brand: Brand) {
    me {
      preferences(brand: $brand) {
        ...Prefs
      }
    }
  }
  ${PREFERENCE_FIELDS}
`;

export const HISTORY = /* GraphQL */ `
  query History($id: ID!, $brand: Brand, $first: Int, $after: String) {
    customer(id: $id) {
      consentHistory(brand: $brand, first: $first, after: $after) {
        edges {
          cursor
          node {
            ...Event
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
  ${EVENT_FIELDS}
`;

export const MY_HISTORY = /* GraphQL */ `
  query MyHistory($brand: Brand) {
    me {
      consentHistory(brand: $brand) {
        edges {
          node {
            ...Event
          }
        }
      }
    }
  }
  ${EVENT_FIELDS}
`;

export const CONTACT_PERMISSION = /* GraphQL */ `
  query Permission(
    $customerId: ID!
    $brand: Brand!
    $channel: Channel!
    $topic: String
    $purpose: ContactPurpose
  ) {
    contactPermission(
      customerId: $customerId
      brand: $brand
      channel: $channel
      topic: $topic
      purpose: $purpose
    ) {
      allowed
      reason
      version
      asOf
    }
  }
`;

export const FEED = /* GraphQL */ `
  query Feed($after: String, $first: Int) {
    preferenceChanges(after: $after, first: $first) {
      edges {
        cursor
        node {
          id
          customerId
          brand
          channel
          topic
          granted
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const VERIFY = /* GraphQL */ `
  query Verify($customerId: ID!) {
    verifyConsentTrail(customerId: $customerId) {
      valid
      events
      firstBrokenEventId
    }
  }
`;

export function customerToken(customerId: string): Promise<string> {
  return tokenFor({ role: 'customer', sub: customerId });
}

export function marketingToken(): Promise<string> {
  return tokenFor({ role: 'marketing', sub: 'campaigns' });
}

/** Every event of the feed from the beginning, read in one pass of large pages. */
export async function wholeFeed(client: GraphQLClient): Promise<{ id: string }[]> {
  const token = await staffToken();
  const events: { id: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const data = await client.data(FEED, { after, first: 100 }, { token });
    const page = data.preferenceChanges;
    for (const edge of page.edges) events.push(edge.node);
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return events;
  }
}

/** Whether a marketing system may contact this customer for `brand` now (`contactPermission`). */
export async function contactAllowed(
  client: GraphQLClient,
  question: { customerId: string; brand: string; channel: string },
): Promise<boolean> {
  const data = await client.data(CONTACT_PERMISSION, question, { token: await marketingToken() });
  return data.contactPermission.allowed as boolean;
}

/** The customer themselves says yes to `channels` at each of `brands` (My Account, source WEB). */
export async function grantAsCustomer(
  client: GraphQLClient,
  customerId: string,
  brands: string[],
  channels: Record<string, true>,
): Promise<void> {
  const token = await customerToken(customerId);
  for (const brand of brands) {
    await client.data(SET_PREFERENCES, { input: { brand, ...channels, source: 'WEB' } }, { token });
  }
}

/**
 * A new customer with Waitrose and John Lewis accounts (at SW1A 1AA, the builders' address) who
 * said yes to email and post at both: the usual starting point of an opt-out.
 */
export async function subscribedCustomer(client: GraphQLClient) {
  const built = await seed(client).customer().withWaitroseAccount().withJohnLewisAccount().create();
  await grantAsCustomer(client, built.id, ['WAITROSE', 'JOHN_LEWIS'], { email: true, post: true });
  return built;
}
