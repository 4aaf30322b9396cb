import { type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, shield, type IRules } from 'graphql-shield';

import { ForbiddenError } from './errors';

type ShieldRule = Parameters<typeof shield>[0] extends infer R
  ? R extends Record<string, infer T>
    ? Exclude<T, Record<string, unknown>>
    : never
  : never;

/**
 * One module's rules: per type, either one rule for every field (plain value types) or a rule
 * per field. Fields without a rule are refused.
 */
export type PermissionMap = Record<string, ShieldRule | Record<string, ShieldRule>>;

export class PermissionMergeError extends Error {
  override name = 'PermissionMergeError';
}

function isFieldMap(value: unknown): value is Record<string, ShieldRule> {
  // Shield's rules are class instances; a field map is a plain object.
  return Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Merges every module's map. A type or field that two modules both claim is a mistake that
 * would silently widen or narrow access, so it stops start-up instead.
 */
export function mergePermissions(maps: readonly PermissionMap[]): PermissionMap {
  const merged: PermissionMap = {};
  for (const map of maps) {
    for (const [typeName, rules] of Object.entries(map)) {
      const existing = merged[typeName];
      if (existing === undefined) {
        merged[typeName] = isFieldMap(rules) ? { ...rules } : rules;
        continue;
      }
      if (!isFieldMap(existing) || !isFieldMap(rules)) {
        throw new PermissionMergeError(`${typeName}: rules given by more than one module`);
      }
      for (const [fieldName, rule] of Object.entries(rules)) {
        if (fieldName in existing) {
          throw new PermissionMergeError(`${typeName}.${fieldName}: rule given twice`);
        }
        existing[fieldName] = rule;
      }
    }
  }
  return merged;
}

/** Deny by default: whatever the merged map does not allow is refused with FORBIDDEN. */
export function applyPermissions(schema: GraphQLSchema, permissions: PermissionMap): GraphQLSchema {
  const middleware = shield(permissions as IRules, {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError(),
    // Coded errors thrown by resolvers reach the client as they are.
    allowExternalErrors: true,
    debug: false,
  });
  return applyMiddleware(schema, middleware);
}
