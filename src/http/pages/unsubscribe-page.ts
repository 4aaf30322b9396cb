import { createHash } from 'node:crypto';

import { type Brand } from '../../modules/customers/brand';
import { BRAND_NAME, BRAND_WEBSITE } from '../../modules/opt-outs/brand-names';

/**
 * The unsubscribe pages: plain HTML that works with JavaScript off, a few kilobytes, every value
 * escaped. The one inline style is allowed by its hash, so the Content-Security-Policy can deny
 * everything else (no scripts, no images, no frames, forms only back to this page).
 */
const STYLE =
  'body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;' +
  'color:#1a1a1a;background:#fff}h1{font-size:1.6rem}button{font:inherit;padding:.6rem 1.4rem;' +
  'border:2px solid #1a1a1a;border-radius:4px;background:#1a1a1a;color:#fff;cursor:pointer}' +
  'button:focus{outline:3px solid #0b57d0;outline-offset:2px}';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Headers every unsubscribe page is sent with. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; ` +
    "base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // The token is in the address: it must never travel on to another site.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body><main>${body}</main></body>`,
    '</html>',
  ].join('\n');
}

/** What the link will do, and the button that does it; showing it changes nothing. */
export function confirmPage(brand: Brand, token: string): string {
  const name = escapeHtml(BRAND_NAME[brand]);
  const action = `/unsubscribe?token=${encodeURIComponent(token)}`;
  return page(
    `Unsubscribe from ${BRAND_NAME[brand]} marketing emails`,
    `<h1>Unsubscribe from ${name} marketing emails</h1>
<p>This stops marketing emails from ${name} to you. Emails from the group's other brands,
and texts, post and calls from ${name}, are not affected.</p>
<form method="post" action="${escapeHtml(action)}">
<button type="submit">Unsubscribe from ${name} emails</button>
</form>`,
  );
}

/** Said in plain words: what stopped, what did not, and where to change the rest. */
export function donePage(brand: Brand): string {
  const name = escapeHtml(BRAND_NAME[brand]);
  const website = escapeHtml(BRAND_WEBSITE[brand]);
  return page(
    `You are unsubscribed from ${BRAND_NAME[brand]} marketing emails`,
    `<h1>You are unsubscribed</h1>
<p>${name} will not send you any more marketing emails.</p>
<h2>What has not changed</h2>
<ul>
<li>Emails from the group's other brands.</li>
<li>Texts, post, phone calls and app notifications from ${name}.</li>
<li>Calls or emails about a quote you asked for that is still open.</li>
</ul>
<p>To change any of these, sign in to My Account on ${website}, or open the settings of the
${name} app.</p>`,
  );
}

/** A link this server did not make, or one that was cut short or changed. */
export function invalidLinkPage(): string {
  return page(
    'This unsubscribe link does not work',
    `<h1>This unsubscribe link does not work</h1>
<p>The link may have been cut short or changed when it was copied. Nothing has been changed.</p>
<p>Try the unsubscribe link in the email again, or sign in to My Account on the brand's website
to choose which emails you receive.</p>`,
  );
}

/** The database did not answer: nothing was changed, and the same link will work later. */
export function tryAgainPage(): string {
  return page(
    'Please try again in a minute',
    `<h1>Please try again in a minute</h1>
<p>We could not unsubscribe you just now, and nothing has been changed. The same link will work
when you try again.</p>`,
  );
}
