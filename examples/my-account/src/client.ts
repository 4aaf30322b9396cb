import { type TypedDocumentNode } from '@graphql-typed-document-node/core';

/** What the gateway answered: `data` typed by the operation, errors with their stable code. */
export interface Result<TData> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, such as https://profile.example.com/graphql. */
  url: string;
  /** The signed-in customer's token, sent as `Authorization: Bearer …`. */
  token?: string;
  fetch?: typeof fetch;
}

/**
 * The generated documents carry only their hash (the preset's `replaceDocumentWithHash`): the
 * text is in the manifest the gateway loads, and requests name it by that hash.
 */
function documentIdOf(document: TypedDocumentNode<unknown, never>): string {
  const { __meta__ } = document as unknown as { __meta__?: { hash?: string } };
  if (!__meta__?.hash) throw new Error('not a generated persisted document');
  return __meta__.hash;
}

/** A typed GraphQL client that sends trusted documents by id (`{ documentId, variables }`). */
export function createClient(options: ClientOptions) {
  const send = options.fetch ?? fetch;
  return async function execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<Result<TData>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await send(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        documentId: documentIdOf(document as TypedDocumentNode<unknown, never>),
        variables: variables ?? {},
      }),
    });
    return (await response.json()) as Result<TData>;
  };
}
