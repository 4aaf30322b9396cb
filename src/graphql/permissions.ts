import { type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFieldMap } from 'graphql-middleware';
import { allow, deny, shield, type IRules } from 'graphql-shield';

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

/** The rule a field is judged by: its own, its type's, or the fallback `deny`. */
function ruleOf(permissions: PermissionMap, typeName: string, fieldName: string): ShieldRule {
  const rules = permissions[typeName];
  if (rules === undefined) return deny;
  if (!isFieldMap(rules)) return rules;
  return rules[fieldName] ?? deny;
}

/**
 * Deny by default: whatever the merged map does not allow is refused with FORBIDDEN. Shield
 * wraps every field of the schema in an async middleware; a field whose rule is the plain
 * `allow` gains nothing from it but the cost (most fields of a profile), so its wrapper is
 * dropped. Every other field, the fallback `deny` included, keeps its wrapper.
 */
export function applyPermissions(schema: GraphQLSchema, permissions: PermissionMap): GraphQLSchema {
  const generator = shield(permissions as IRules, {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError(),
    // Coded errors thrown by resolvers reach the client as they are.
    allowExternalErrors: true,
    debug: false,
  });
  const middleware = generator.generate(schema) as Record<string, Record<string, unknown>>;
  for (const [typeName, fields] of Object.entries(middleware)) {
    for (const fieldName of Object.keys(fields)) {
      if (ruleOf(permissions, typeName, fieldName) === allow) delete fields[fieldName];
    }
  }
  return applyMiddleware(schema, middleware as IMiddlewareFieldMap);
}
