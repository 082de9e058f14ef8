import type { CatalogItem } from '@shelf/contract';

/** Items whose name, id, description, owner or a tag contains `query` (any case) and that carry every tag in `tags`. */
export function filterCatalog(items: CatalogItem[], query: string, tags: readonly string[]): CatalogItem[] {
  const q = query.trim().toLowerCase();
  return items.filter((item) => {
    if (!tags.every((t) => item.tags.includes(t))) return false;
    if (!q) return true;
    return [item.name, item.id, item.description, item.owner, ...item.tags].some((s) => s?.toLowerCase().includes(q));
  });
}

/** Every tag in use, sorted. */
export function allTags(items: CatalogItem[]): string[] {
  return [...new Set(items.flatMap((i) => i.tags))].sort((a, b) => a.localeCompare(b));
}
