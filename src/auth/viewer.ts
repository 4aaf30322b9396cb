import { type Brand } from '../modules/customers/brand';

export const ROLES = ['customer', 'brand', 'staff', 'marketing'] as const;
export type Role = (typeof ROLES)[number];

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
