/** The opt-out operations the tests send, shared by every file that sends them. */

export const UNSUBSCRIBE_LINK = /* GraphQL */ `
  query Link($customerId: ID!, $brand: Brand!) {
    unsubscribeLink(customerId: $customerId, brand: $brand)
  }
`;

export const UNSUBSCRIBE = /* GraphQL */ `
  mutation Unsubscribe($token: String!) {
    unsubscribe(token: $token) {
      brand
      changed
    }
  }
`;
