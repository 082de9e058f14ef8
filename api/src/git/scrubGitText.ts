import { redactUrl } from './gitUrlPolicy.js';

/** Folders of this host a git (or isomorphic-git) message may name, and what is shown instead. */
export interface HostPlaces {
  /** The repository's bare mirror. */
  mirror?: string;
  /** The empty HOME a git command ran with. */
  home?: string;
  /** Where an item folder is written out before it is imported. */
  work?: string;
  /** The folder every mirror lives in. */
  cacheDir?: string;
}

const shownAs: Record<keyof HostPlaces, string> = { mirror: '<mirror>', home: '~', work: '<item folder>', cacheDir: '<git cache>' };

/**
 * The names Shelf gives its own folders, so they are caught wherever they are, even when the
 * caller could not say (an error from deep inside a read, a mirror of another sync).
 * Segments exclude quotes and whitespace, as git quotes the paths it prints.
 */
const leading = String.raw`(?:/[^\s'"\x60/]+)*`;
const ownFolders: [RegExp, string][] = [
  [new RegExp(String.raw`${leading}/\.git-cache/[0-9a-f]{64}\.git`, 'g'), '<mirror>'],
  [new RegExp(String.raw`${leading}/\.git-cache(?=[/\s'"\x60:]|$)`, 'g'), '<git cache>'],
  [new RegExp(String.raw`${leading}/shelf-git-home-[A-Za-z0-9]{6}`, 'g'), '~'],
  [new RegExp(String.raw`${leading}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-git(?=[/\s'"\x60:]|$)`, 'g'), '<item folder>'],
];

/**
 * git's words made fit to store and show, the one place where they are: credentials removed
 * from URLs, this host's folders (mirrors under the bundles folder, temp HOMEs, item folders
 * being written) replaced by what they are, so an import record never shows the server's
 * layout; one short paragraph. The repository's own URL stays: its owner gave it.
 */
export function scrubGitText(text: string, places: HostPlaces = {}): string {
  let out = text.length > 8000 ? text.slice(0, 8000) : text;
  const known = (Object.entries(places) as [keyof HostPlaces, string | undefined][])
    .filter((e): e is [keyof HostPlaces, string] => Boolean(e[1]) && e[1] !== '/')
    .sort((a, b) => b[1].length - a[1].length);
  for (const [name, dir] of known) out = out.replaceAll(dir, shownAs[name]);
  for (const [pattern, name] of ownFolders) out = out.replace(pattern, name);
  const joined =
    out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => l.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+/g, (u) => redactUrl(u)))
      .join(' ') || 'git failed without a message';
  return joined.length > 600 ? `${joined.slice(0, 600)}…` : joined;
}
