import express, { type Request, type Response, type Router } from 'express';

import { type Logger } from '../logger';
import { type Brand } from '../modules/customers/brand';
import {
  type UnsubscribeOutcome,
  type UnsubscribeRoute,
} from '../modules/opt-outs/unsubscribe.service';
import {
  confirmPage,
  donePage,
  invalidLinkPage,
  PAGE_HEADERS,
  tryAgainPage,
} from './pages/unsubscribe-page';

/** What the pages need of the opt-out service. */
export interface UnsubscribeLinks {
  /** The brand a valid token names, or undefined; reads nothing, writes nothing. */
  brandOf(token: string): Brand | undefined;
  /** Withdraws the brand's marketing email; undefined for a token that is not valid. */
  unsubscribe(token: string, route: UnsubscribeRoute): Promise<UnsubscribeOutcome | undefined>;
}

/** A form post carries one short field; anything larger is not from a mail client or our page. */
const FORM_LIMIT = '1kb';

function send(res: Response, status: number, html: string): void {
  res.status(status).set(PAGE_HEADERS).send(html);
}

function tokenOf(req: Request): string {
  const token = req.query.token;
  return typeof token === 'string' ? token : '';
}

/**
 * `GET /unsubscribe?token=` shows what will stop and a button, and changes nothing: mail
 * scanners follow links. `POST /unsubscribe?token=` (RFC 8058 one-click, with the body
 * `List-Unsubscribe=One-Click`, or the page's button) withdraws that brand's marketing email.
 */
export function unsubscribeRouter(links: UnsubscribeLinks, logger: Logger): Router {
  const router = express.Router();

  router.get('/unsubscribe', (req, res) => {
    const token = tokenOf(req);
    const brand = links.brandOf(token);
    if (!brand) {
      send(res, 400, invalidLinkPage());
      return;
    }
    send(res, 200, confirmPage(brand, token));
  });

  router.post(
    '/unsubscribe',
    express.urlencoded({ extended: false, limit: FORM_LIMIT }),
    async (req, res) => {
      try {
        // RFC 8058: a mail client's one-click post carries exactly this field; the page's
        // button posts nothing.
        const body = (req.body ?? {}) as Record<string, unknown>;
        const route = body['List-Unsubscribe'] === 'One-Click' ? 'one-click' : 'page';
        const outcome = await links.unsubscribe(tokenOf(req), route);
        if (!outcome) {
          send(res, 400, invalidLinkPage());
          return;
        }
        send(res, 200, donePage(outcome.brand));
      } catch (error) {
        logger.error({ requestId: res.locals.requestId, err: error }, 'unsubscribe failed');
        res.set('retry-after', '60');
        send(res, 503, tryAgainPage());
      }
    },
  );

  return router;
}
