/** Records grouped under `key(record)`, each group in the records' order. */
export function groupBy<T>(records: Iterable<T>, key: (record: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const group = groups.get(key(record));
    if (group) group.push(record);
    else groups.set(key(record), [record]);
  }
  return groups;
}
