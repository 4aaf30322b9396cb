/** A GraphQL response as it came over the wire. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: Record<string, unknown>;
    }[];
  };
}

export interface RequestOptions {
  token?: string;
  /** Sent as the raw Authorization header when given (tests of malformed headers). */
  authorization?: string;
}

/** What was sent and what came back, for a failing assertion to print. */
function transcript(query: string, variables: unknown, response: GraphQLResponse<unknown>) {
  return [
    `query: ${query.trim()}`,
    `variables: ${JSON.stringify(variables, null, 2)}`,
    `status: ${response.status}`,
    `response: ${JSON.stringify(response.body, null, 2)}`,
  ].join('\n');
}

export class GraphQLClient {
  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<GraphQLResponse<T> & { query: string; variables: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse<T>['body'];
    return { status: response.status, headers: response.headers, body, query, variables };
  }

  /** The data of a request that must succeed; otherwise fails printing the whole exchange. */
  async data<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read nested response fields freely
    query: string,
    variables: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<T> {
    const response = await this.request<T>(query, variables, options);
    if (response.status !== 200 || response.body.errors || !response.body.data) {
      throw new Error(`expected data without errors\n${transcript(query, variables, response)}`);
    }
    return response.body.data;
  }

  /**
   * The one error of a request that must fail with `code` (and `field` when given); otherwise
   * fails printing the whole exchange.
   */
  async error(
    query: string,
    variables: Record<string, unknown>,
    options: RequestOptions,
    expected: { code: string; field?: string; status?: number },
  ): Promise<{ message: string; extensions?: Record<string, unknown> }> {
    const response = await this.request(query, variables, options);
    const errors = response.body.errors ?? [];
    const matches =
      errors.length === 1 &&
      errors[0].extensions?.code === expected.code &&
      (expected.field === undefined || errors[0].extensions?.field === expected.field) &&
      (expected.status === undefined || response.status === expected.status) &&
      !JSON.stringify(response.body).includes('stacktrace');
    if (!matches) {
      throw new Error(
        `expected one error ${JSON.stringify(expected)}\n${transcript(query, variables, response)}`,
      );
    }
    return errors[0];
  }
}
