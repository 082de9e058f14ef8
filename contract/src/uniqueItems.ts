/**
 * The first two equal items of `items` as `[earlier, later]` indices, or null when all differ,
 * with "equal" as JSON Schema's uniqueItems means it (objects regardless of key order). Each
 * item is written once in a canonical form and looked up in a map, so the time grows with the
 * array's size, where ajv's own check compares every pair of non-scalar items.
 */
export function duplicateItems(items: readonly unknown[]): [number, number] | null {
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = canonicalJson(items[i]);
    const earlier = seen.get(key);
    if (earlier !== undefined) return [earlier, i];
    seen.set(key, i);
  }
  return null;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
