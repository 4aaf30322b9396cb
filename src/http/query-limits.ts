import { type ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { type RequestHandler } from 'express';

import { type QueryLimits } from '../config';
import { type Context, type RequestRecord } from '../graphql/context';
import { QueryTooComplexError, type QueryLimit } from '../graphql/errors';
import { BoundedMap } from '../lib/bounded-map';
import { formatError } from './format-error';

/** Documents (and variable shapes per document) whose measure a process remembers. */
const MEASURED_DOCUMENTS_KEPT = 1000;

/**
 * GraphQL Armor reports a broken limit as a plain error whose message ends "found N."; the
 * measured value is read back from it so the client gets it as a number.
 */
function armorRejection(limit: QueryLimit, max: number) {
  return {
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const measured = Number(/found (\d+)/.exec(error.message)?.[1] ?? max + 1);
        context?.reportError(new QueryTooComplexError(limit, max, measured));
      },
    ],
  };
}

/**
 * The fields one selection set asks for, with the fields of its fragments (spread or inline)
 * counted in: they land in the same response object. A fragment spread twice counts once, as
 * GraphQL merges it, which also keeps nested repeated spreads from multiplying the work.
 */
function fieldNamesOf(
  selectionSet: SelectionSetNode,
  fragments: (name: string) => FragmentDefinitionNode | undefined,
  seen = new Set<string>(),
  names: string[] = [],
): string[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      names.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldNamesOf(selection.selectionSet, fragments, seen, names);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments(selection.name.value);
      if (fragment) fieldNamesOf(fragment.selectionSet, fragments, seen, names);
    }
  }
  return names;
}

/** At most `max` fields at the root of an operation, fragments included. */
function maxRootFieldsRule(max: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      const measured = fieldNamesOf(
        operation.selectionSet,
        (name) => context.getFragment(name) ?? undefined,
      ).length;
      if (measured > max)
        context.reportError(new QueryTooComplexError('rootFields', max, measured));
    },
  });
}

/**
 * The same field at most `max` times in one selection set. Identical fields are merged rather
 * than refused by GraphQL, yet each copy costs validation work (overlap checks grow with the
 * square of their number).
 */
function maxFieldRepeatsRule(max: number): ValidationRule {
  return (context): ASTVisitor => {
    let reported = false;
    return {
      SelectionSet(selectionSet) {
        if (reported) return;
        const counts = new Map<string, number>();
        for (const name of fieldNamesOf(
          selectionSet,
          (each) => context.getFragment(each) ?? undefined,
        )) {
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        let measured = 0;
        for (const count of counts.values()) measured = Math.max(measured, count);
        if (measured > max) {
          reported = true;
          context.reportError(new QueryTooComplexError('fieldRepeats', max, measured));
        }
      },
    };
  };
}

/**
 * Validation rules for every limit but tokens and cost (which need the raw source and the
 * variables). Introspection fields are exempt from the depth count only where introspection
 * is allowed at all: tools' introspection queries are deeper than any API query needs.
 */
export function queryLimitRules(
  limits: QueryLimits,
  options: { introspection: boolean },
): ValidationRule[] {
  return [
    maxDepthRule({
      ...armorRejection('depth', limits.depth),
      // Armor exempts only a field named __schema, never a fragment or operation of that name.
      ignoreIntrospection: options.introspection,
      // Depth counts fields: a fragment adds its fields' depth, not a level of its own.
      flattenFragments: true,
    }),
    maxAliasesRule(armorRejection('aliases', limits.aliases)),
    maxDirectivesRule(armorRejection('directives', limits.directives)),
    maxRootFieldsRule(limits.rootFields),
    maxFieldRepeatsRule(limits.fieldRepeats),
  ];
}

/** The number of lexical tokens in a document; a lexing error ends the count (parse reports it). */
export function countTokens(query: string): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
  }
  return count;
}

/**
 * A field costs one plus what it selects; a list asked for by `first` (quotes) or `ids`
 * (customers) costs that many times over, so a page size multiplies everything under it.
 */
const listSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size =
    typeof args.first === 'number' ? args.first : Array.isArray(args.ids) ? args.ids.length : 1;
  return (1 + childComplexity) * Math.max(1, size);
};

/**
 * The cost limit, which needs the request's variables: computed once the operation is known,
 * before any resolver runs.
 */
export function costLimitPlugin(limits: QueryLimits): ApolloServerPlugin<Context> {
  // Apollo keeps one parsed document per query text, so a document's costs hang off it.
  const costsOf = new WeakMap<DocumentNode, BoundedMap<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const variables = request.variables ?? {};
          const { errors } = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            variables,
          );
          // Variables that do not fit are refused by execution itself, before any resolver.
          if (errors) return;
          // The cost depends on the operation and on the numbers and list lengths among the
          // variables (`first`, `ids`), never on a string's value: strings are left out.
          const shape = JSON.stringify(variables, (_key, value: unknown) =>
            typeof value === 'string' ? 0 : value,
          );
          const key = `${operation.name?.value ?? ''}\n${shape}`;
          let costs = costsOf.get(document);
          if (!costs) {
            costs = new BoundedMap(MEASURED_DOCUMENTS_KEPT);
            costsOf.set(document, costs);
          }
          let measured = costs.get(key);
          if (measured === undefined) {
            measured = measureCost(schema, document, operation, variables, limits.cost);
            costs.set(key, measured);
          }
          if (measured > limits.cost) {
            throw new QueryTooComplexError('cost', limits.cost, measured);
          }
        },
      };
    },
  };
}

/** What one operation costs under `listSizeEstimator`; past the limit in nodes, the limit + 1. */
function measureCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limit: number,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      estimators: [listSizeEstimator],
      // Every node costs at least one: past the limit in nodes, the cost is too.
      maxQueryNodes: limit,
    });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return limit + 1;
  }
}

/**
 * The token limit, applied to the document's source before Apollo parses it (no syntax tree is
 * built for a document over the limit). Apollo's plugins cannot refuse a request before
 * parsing with a coded error, so this runs as HTTP middleware in front of it.
 */
export function tokenLimit(max: number): RequestHandler {
  // Clients send the same few documents again and again: each is counted once.
  const withinLimit = new BoundedMap<string, true>(MEASURED_DOCUMENTS_KEPT);
  return (req, res, next) => {
    const source: unknown = req.method === 'GET' ? req.query.query : req.body?.query;
    if (typeof source !== 'string' || withinLimit.has(source)) return next();
    const measured = countTokens(source);
    if (measured <= max) {
      withinLimit.set(source, true);
      return next();
    }
    const error = new QueryTooComplexError('tokens', max, measured);
    (res.locals.requestRecord as RequestRecord).errorCodes.push(error.code);
    res.status(400).json({ errors: [formatError(error.toJSON(), error)] });
  };
}
