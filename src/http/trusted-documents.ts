import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { type RequestHandler } from 'express';
import { parse } from 'graphql';

import { type Viewer } from '../auth/viewer';
import { type TrustedDocumentsConfig } from '../config';
import { type RequestRecord } from '../graphql/context';
import { PersistedQueryNotAllowedError, PersistedQueryNotFoundError } from '../graphql/errors';
import { formatError } from './format-error';

/** First-party clients' documents by id, and the roles that may send nothing else. */
export interface TrustedDocuments {
  documents: ReadonlyMap<string, string>;
  boundRoles: ReadonlySet<string>;
}

/** The id GraphQL Code Generator's client preset gives a document: `sha256:` and its hex hash. */
export function documentIdOf(document: string): string {
  return `sha256:${createHash('sha256').update(document).digest('hex')}`;
}

/**
 * Reads the manifests at start-up. Every entry must be a document that parses and whose id is
 * its own hash: a manifest that was edited by hand, or belongs to another hash scheme, stops
 * start-up rather than fail its client's requests one by one.
 */
export function loadTrustedDocuments(config: TrustedDocumentsConfig): TrustedDocuments {
  const documents = new Map<string, string>();
  for (const file of config.manifests) {
    const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new Error(`${file}: a trusted-document manifest is a JSON object of id → document`);
    }
    for (const [id, document] of Object.entries(manifest)) {
      if (typeof document !== 'string' || documentIdOf(document) !== id) {
        throw new Error(`${file}: ${id} is not the sha256 of its document`);
      }
      parse(document);
      documents.set(id, document);
    }
  }
  return { documents, boundRoles: new Set(config.roles) };
}

/** The request's document came from a manifest, by `documentId`: set by `resolveDocumentIds`. */
const TRUSTED = 'trustedDocument';

/**
 * `POST /graphql` with `{ "documentId": "sha256:…", "variables": … }` runs that trusted document:
 * the body is rewritten to carry its text before Apollo reads it. Any caller may send one.
 */
export function resolveDocumentIds(trusted: TrustedDocuments): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    if (req.method !== 'POST' || typeof body !== 'object' || body === null) return next();
    if (!('documentId' in body)) return next();
    const { documentId } = body;
    const record = res.locals.requestRecord as RequestRecord;
    if (typeof documentId !== 'string' || 'query' in body) {
      record.errorCodes.push('BAD_REQUEST');
      const message = 'documentId must be a string, sent without query';
      res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const document = trusted.documents.get(documentId);
    if (document === undefined) {
      const error = new PersistedQueryNotFoundError();
      record.errorCodes.push(error.code);
      res.status(400).json({ errors: [formatError(error.toJSON(), error)] });
      return;
    }
    delete body.documentId;
    Object.assign(body, { query: document });
    res.locals[TRUSTED] = true;
    next();
  };
}

/**
 * Refuses a bound role's request unless its document came by `documentId`. Called once the
 * viewer is known, before Apollo parses anything: a full document, and an automatic persisted
 * query (whose hash any caller could have registered), are both refused.
 */
export function requireTrustedDocument(
  trusted: TrustedDocuments,
  viewer: Viewer,
  locals: Record<string, unknown>,
): void {
  if (trusted.boundRoles.has(viewer.role) && locals[TRUSTED] !== true) {
    throw new PersistedQueryNotAllowedError(viewer.role);
  }
}
