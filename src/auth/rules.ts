import { rule } from 'graphql-shield';

import { ForbiddenError, UnauthenticatedError } from '../graphql/errors';
import { type Context } from '../graphql/context';
import { isAuthenticated as hasIdentity, type Role } from './viewer';

/** Shared shield rules. A rule returns true, or the coded error the client should see. */
export const isAuthenticated = rule({ cache: 'contextual' })(
  (_parent, _args, context: Context) => hasIdentity(context.viewer) || new UnauthenticatedError(),
);

/** The caller is authenticated and has exactly this role. */
export function hasRole(role: Role) {
  return rule(`hasRole:${role}`, { cache: 'contextual' })((_parent, _args, context: Context) => {
    if (!hasIdentity(context.viewer)) return new UnauthenticatedError();
    return context.viewer.role === role || new ForbiddenError(`Only role ${role} may ask this`);
  });
}
