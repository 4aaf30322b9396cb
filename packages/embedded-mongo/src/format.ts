import { type Document, EJSON } from 'bson';

/** Renders a key document the way MongoDB's error messages do: `{ email: "a@b.c" }`. */
export function formatKeyValue(keyValue: Document): string {
  const fields = Object.entries(keyValue).map(
    ([field, value]) => `${field}: ${EJSON.stringify(value ?? null, { relaxed: true })}`,
  );
  return `{ ${fields.join(', ')} }`;
}
