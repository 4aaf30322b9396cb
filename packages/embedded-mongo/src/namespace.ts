/** `database.collection`: how MongoDB names a collection in the catalog, cursors and messages. */
export function namespaceOf(database: string, collection: string): string {
  return `${database}.${collection}`;
}

/** Splits `db.collection.with.dots` at the first dot. */
export function splitNamespace(namespace: string): [string, string] {
  const dot = namespace.indexOf('.');
  return [namespace.slice(0, dot), namespace.slice(dot + 1)];
}
