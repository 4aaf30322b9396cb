import { UnauthenticatedError } from '../graphql/errors';
import { type Brand } from '../modules/customers/brand';

import { type Role } from './roles';

/** Who is calling. Every request has one: a request without a token has the anonymous viewer. */
export type Viewer = AnonymousViewer | AuthenticatedViewer;

export interface AnonymousViewer {
  role: 'anonymous';
}

export interface AuthenticatedViewer {
  role: Role;
  /** The token's `sub`: for role customer, the gateway's customer id. */
  subject: string;
  /** For role brand only: the brand whose backend is calling. */
  brand?: Brand;
}

export const ANONYMOUS: AnonymousViewer = Object.freeze({ role: 'anonymous' });

export function isAuthenticated(viewer: Viewer): viewer is AuthenticatedViewer {
  return viewer.role !== 'anonymous';
}

/**
 * The viewer of an operation whose permission rule admits authenticated callers only; the
 * check repeats the rule so a service is safe on its own.
 */
export function authenticatedViewer(viewer: Viewer): AuthenticatedViewer {
  if (!isAuthenticated(viewer)) throw new UnauthenticatedError();
  return viewer;
}
