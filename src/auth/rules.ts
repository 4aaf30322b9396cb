import { rule } from 'graphql-shield';

import { isDatabaseUnavailable } from '../db/connection';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../graphql/errors';
import { type Context } from '../graphql/context';
import { type Brand } from '../modules/customers/brand';
import { type Role } from './roles';
import { isAuthenticated as hasIdentity, type AuthenticatedViewer } from './viewer';

/**
 * Shared shield rules. A rule returns true, or the coded error the client should see; a rule
 * that throws is a refusal too, so no allowance is ever built from `not(...)`.
 *
 * Rules here read only the viewer, so a per-request (`contextual`) cache is safe. A rule that
 * reads the parent object or the arguments must use `no_cache`: one customer's allowance must
 * never answer for another in the same request.
 */
export const isAuthenticated = rule({ cache: 'contextual' })(
  (_parent, _args, context: Context) => hasIdentity(context.viewer) || new UnauthenticatedError(),
);

type RoleRule = ReturnType<ReturnType<typeof rule>>;
const roleRules = new Map<string, RoleRule>();

/**
 * The caller is authenticated and has one of these roles. Shield refuses two different rules
 * with one name, so every module asking for the same roles gets the same rule.
 */
export function hasRole(...roles: Role[]): RoleRule {
  const name = `hasRole:${roles.join('|')}`;
  const existing = roleRules.get(name);
  if (existing) return existing;
  const created = rule(name, { cache: 'contextual' })((_parent, _args, context: Context) => {
    if (!hasIdentity(context.viewer)) return new UnauthenticatedError();
    return roles.includes(context.viewer.role) || new ForbiddenError();
  });
  roleRules.set(name, created);
  return created;
}

/**
 * Judges the authenticated viewer with `check`, which sees the parent, the arguments and the
 * context; anonymous callers are UNAUTHENTICATED and a false answer is FORBIDDEN. Never cached.
 */
export function viewerRule<Parent = unknown, Args = Record<string, unknown>>(
  name: string,
  check: (
    viewer: AuthenticatedViewer,
    parent: Parent,
    args: Args,
    context: Context,
  ) => boolean | Promise<boolean>,
) {
  return rule(name, { cache: 'no_cache' })(async (parent: Parent, args: Args, context: Context) => {
    if (!hasIdentity(context.viewer)) return new UnauthenticatedError();
    try {
      return (await check(context.viewer, parent, args, context)) || new ForbiddenError();
    } catch (error) {
      // A check that could not read the database refuses, but says why: the caller should retry
      // rather than conclude it may not. Any other failure stays a plain refusal.
      if (isDatabaseUnavailable(error)) return new ServiceUnavailableError();
      throw error;
    }
  });
}

/** The brand a brand backend speaks for; undefined for every other role. */
export function brandOf(viewer: AuthenticatedViewer): Brand | undefined {
  return viewer.role === 'brand' ? viewer.brand : undefined;
}
