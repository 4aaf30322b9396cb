import { graphql, isObjectType, type GraphQLObjectType } from 'graphql';
import { allow } from 'graphql-shield';
import { Field, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';

import {
  applyPermissions,
  mergePermissions,
  PermissionMergeError,
} from '../../src/graphql/permissions';
import { buildApiSchema, permissions } from '../../src/graphql/schema';

@ObjectType()
class Thing {
  @Field()
  shown!: string;

  @Field()
  secret!: string;
}

@Resolver()
class ThingResolver {
  @Query(() => Thing)
  thing(): Thing {
    return { shown: 'yes', secret: 'no' };
  }

  @Query(() => String)
  unruled(): string {
    return 'leaked';
  }
}

describe('deny by default', () => {
  it('refuses with FORBIDDEN every field the merged map has no rule for', async () => {
    const schema = await buildSchema({ resolvers: [ThingResolver], validate: false });
    const merged = mergePermissions([{ Query: { thing: allow } }, { Thing: { shown: allow } }]);
    const guarded = applyPermissions(schema, merged);

    const shown = await graphql({
      schema: guarded,
      source: '{ thing { shown } }',
      contextValue: {},
    });
    expect(shown).toEqual({ data: { thing: { shown: 'yes' } } });

    for (const source of ['{ thing { secret } }', '{ unruled }']) {
      const refused = await graphql({ schema: guarded, source, contextValue: {} });
      expect(refused.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(refused.data)).not.toMatch(/no|leaked/);
    }
  });

  it('wraps no field whose rule is a plain allow, and every other field', async () => {
    const schema = await buildSchema({ resolvers: [ThingResolver], validate: false });
    const before = schema.getType('Thing') as GraphQLObjectType;
    const guarded = applyPermissions(
      schema,
      mergePermissions([{ Query: { thing: allow } }, { Thing: { shown: allow } }]),
    );
    const thing = guarded.getType('Thing') as GraphQLObjectType;
    expect(thing.getFields().shown.resolve).toBe(before.getFields().shown.resolve);
    expect(thing.getFields().secret.resolve).not.toBe(before.getFields().secret.resolve);
    const query = guarded.getQueryType()!.getFields();
    expect(query.unruled.resolve).not.toBe(schema.getQueryType()!.getFields().unruled.resolve);
  });

  it('refuses to merge two modules claiming the same field or type', () => {
    expect(() => mergePermissions([{ Query: { a: allow } }, { Query: { a: allow } }])).toThrow(
      PermissionMergeError,
    );
    expect(() => mergePermissions([{ Money: allow }, { Money: { amount: allow } }])).toThrow(
      PermissionMergeError,
    );
  });

  it('has a rule for every field of the API, so nothing is refused by accident', async () => {
    const schema = await buildApiSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const rules = permissions[type.name];
      for (const field of Object.keys(type.getFields())) {
        const hasRule =
          rules !== undefined &&
          (Object.getPrototypeOf(rules) !== Object.prototype ||
            field in (rules as Record<string, unknown>));
        if (!hasRule) missing.push(`${type.name}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
