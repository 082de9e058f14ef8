import { CliError } from './cliError.js';

export interface ItemRef {
  id: string;
  /** A semver, or `latest`. */
  version: string;
}

/** `hello-world` → latest, `hello-world@1.2.0` → that version. */
export function parseItemRef(raw: string): ItemRef {
  const at = raw.indexOf('@');
  const id = at === -1 ? raw : raw.slice(0, at);
  const version = at === -1 ? 'latest' : raw.slice(at + 1);
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id) || version === '') {
    throw new CliError(`"${raw}" is not an item: write ITEM or ITEM@VERSION, e.g. hello-world@1.2.0 (\`shelf items\` lists them)`);
  }
  return { id, version };
}

export function itemPath(ref: ItemRef): string {
  return `${encodeURIComponent(ref.id)}/${encodeURIComponent(ref.version)}`;
}
