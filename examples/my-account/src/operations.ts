import { graphql } from './gql';

/** The signed-in customer's profile page: who they are, their accounts and their discounts. */
export const MyProfile = graphql(`
  query MyProfile {
    me {
      id
      name {
        firstName
        lastName
      }
      email
      brandAccounts {
        brand
        accountId
        membership {
          scheme
          since
        }
      }
      loyalty {
        eligibleDiscounts {
          code
          percentage
          products
          reason
        }
      }
    }
  }
`);

/** One page of the customer's insurance quotes, newest first. */
export const MyQuotes = graphql(`
  query MyQuotes($first: Int, $after: String) {
    me {
      quotes(first: $first, after: $after) {
        totalCount
        edges {
          node {
            reference
            product
            status
            premium {
              amount
              currency
            }
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** The "email me" switch of one brand on the customer's preferences page. */
export const SetEmailPreference = graphql(`
  mutation SetEmailPreference($brand: Brand!, $email: Boolean!, $expectedVersion: Int) {
    setPreferences(
      input: { brand: $brand, email: $email, source: WEB, expectedVersion: $expectedVersion }
    ) {
      preferences {
        brand
        email
        version
      }
    }
  }
`);
