import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Where a page ends, for asking for the next one' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Opaque: pass it as `after` for the next page; null on an empty page (except in the change feed)',
  })
  endCursor?: string;
}
