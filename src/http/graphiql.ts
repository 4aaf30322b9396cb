import { createHash } from 'node:crypto';

import { type ApolloServerPlugin } from '@apollo/server';

const DEFAULT_QUERY = `# The gateway's GraphQL IDE (development only; production serves none).
#
# Paste a development token in Headers below, as printed at start-up or by
# \`npm run token -- --role staff --sub me\`:
#   { "Authorization": "Bearer <token>" }

query Me {
  me {
    id
    name {
      firstName
    }
  }
}
`;

/**
 * The page with a Content-Security-Policy of its own: its one inline script by hash, workers
 * from the blob: URLs that script makes, and requests to this gateway alone. The bundle is
 * meant to need nothing from the internet; the policy keeps it so, even if a later version
 * reaches for a font or a CDN.
 */
function withPolicy(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`,
  );
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    'worker-src blob:',
    // React and the editor set style attributes at run time: those cannot be listed by hash.
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return html.replace(
    '<head>',
    `<head><meta http-equiv="Content-Security-Policy" content="${policy}">`,
  );
}

/**
 * GraphiQL as Apollo's landing page: what a browser gets from `GET /graphql`. The whole IDE
 * (scripts, styles, editor workers) is inlined in one page by `@graphql-yoga/render-graphiql`,
 * so it works offline. That module holds a 9 MB bundle: it is loaded on the first page view,
 * never in production, where this plugin is not installed.
 */
export function graphiqlLandingPage(): ApolloServerPlugin {
  let page: Promise<string> | undefined;
  const render = async () => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    return withPolicy(
      renderGraphiQL({
        title: 'Customer profile gateway',
        endpoint: '/graphql',
        defaultQuery: DEFAULT_QUERY,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: 'headers',
        // A token is a credential: it stays in the tab, not in the browser's storage.
        shouldPersistHeaders: false,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
  };
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: () => (page ??= render()) };
        },
      };
    },
  };
}
