import { canonicalKey } from './bson-order';
import { type CollectionStore } from './collection';
import { MongoCommandError } from './errors';
import { type IndexSpec, sameIndex } from './indexes';

/** The committed collections, by database and name. */
export class Catalog {
  private readonly databases = new Map<string, Map<string, CollectionStore>>();

  /** Databases that hold at least one collection. */
  databaseNames(): string[] {
    return [...this.databases.keys()].filter((name) => this.collections(name).length > 0);
  }

  collections(database: string): CollectionStore[] {
    return [...(this.databases.get(database)?.values() ?? [])];
  }

  *all(): IterableIterator<CollectionStore> {
    for (const collections of this.databases.values()) yield* collections.values();
  }

  get(database: string, name: string): CollectionStore | undefined {
    return this.databases.get(database)?.get(name);
  }

  add(collection: CollectionStore): void {
    let collections = this.databases.get(collection.database);
    if (!collections) this.databases.set(collection.database, (collections = new Map()));
    collections.set(collection.name, collection);
  }

  remove(collection: CollectionStore): void {
    this.databases.get(collection.database)?.delete(collection.name);
  }

  /** Gives `collection` a new name in its database. */
  rename(collection: CollectionStore, name: string): void {
    const collections = this.databases.get(collection.database)!;
    collections.delete(collection.name);
    collection.name = name;
    collections.set(name, collection);
  }

  dropDatabase(database: string): void {
    this.databases.delete(database);
  }
}

export function validateCollectionName(database: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('$') || name.includes('\u0000')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
  if (!database || /[/\\. "$]/.test(database) || database.includes('\u0000')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: ${database}`);
  }
}

/**
 * Whether `spec` is a new index of `collection`: false when an identical one exists already;
 * refused when another index has its name or its key, as MongoDB refuses them.
 */
export function isNewIndex(collection: CollectionStore, spec: IndexSpec): boolean {
  const existing = collection.indexes.get(spec.name);
  if (existing) {
    if (sameIndex(existing.spec, spec)) return false;
    const sameKey = canonicalKey(existing.spec.key) === canonicalKey(spec.key);
    throw new MongoCommandError(
      sameKey ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
      sameKey
        ? `An existing index has the same name as the requested index but different options. ` +
            `Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`
        : `An existing index has the same name as the requested index. When index names are ` +
            `not specified, they are auto generated and can cause conflicts. Please refer to our ` +
            `documentation. Requested index: ${JSON.stringify(spec)}, existing index: ` +
            `${JSON.stringify(existing.spec)}`,
    );
  }
  for (const index of collection.indexes.values()) {
    if (canonicalKey(index.spec.key) !== canonicalKey(spec.key)) continue;
    throw new MongoCommandError(
      'IndexOptionsConflict',
      sameIndex(index.spec, spec)
        ? `Index already exists with a different name: ${index.name}`
        : `An equivalent index already exists with a different name and options. Requested ` +
            `index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(index.spec)}`,
    );
  }
  return true;
}
