import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import { type BuildSchemaOptions } from 'type-graphql';

/** An instant, as an ISO 8601 string with a time zone: `2024-05-01T09:30:00.000Z`. */
export const DateTimeScalar = DateTimeResolver;

/** A calendar date, `2019-03-02`, carried as a JS Date at UTC midnight. */
export const DateScalar = DateResolver;

/** A TypeScript `Date` is an instant unless a field says `() => DateScalar`. */
export const scalarsMap: NonNullable<BuildSchemaOptions['scalarsMap']> = [
  { type: Date, scalar: DateTimeScalar },
];
