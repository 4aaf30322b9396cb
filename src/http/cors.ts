import { type RequestHandler } from 'express';

/**
 * What a browser may send: JSON, Apollo's CSRF-prevention header and operation name, a token,
 * and a request id to follow a call through the logs.
 */
const ALLOWED_HEADERS = [
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'authorization',
  'x-request-id',
].join(', ');

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for an allowlist of exact origins (validated by config.ts). Credentials stay off: callers
 * send a bearer token, never cookies. A request from any other origin gets no CORS header at
 * all, so the browser keeps the response from the page; its preflight is refused outright.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    // Answers differ by Origin: caches must not hand one origin's answer to another.
    res.vary('Origin');
    const origin = req.get('origin');
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method');
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', 'x-request-id');
      if (preflight) {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
        res.status(204).end();
        return;
      }
    } else if (preflight && origin !== undefined) {
      res.status(403).end();
      return;
    }
    next();
  };
}
