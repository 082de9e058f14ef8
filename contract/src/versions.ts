import semver from 'semver';

/** Highest semver first. */
export function sortVersionsDesc(versions: string[]): string[] {
  return [...versions].sort((a, b) => semver.rcompare(a, b));
}

/** `latest`: the highest version that is not a prerelease; a prerelease only when there is nothing else. */
export function latestVersion(versions: string[]): string | undefined {
  const sorted = sortVersionsDesc(versions);
  return sorted.find((v) => semver.prerelease(v) === null) ?? sorted[0];
}

/** A Git tag `<item-id>@<semver>` split into its parts, or null. */
export function parseItemTag(tag: string): { id: string; version: string } | null {
  const m = /^([a-z0-9][a-z0-9-]{1,62})@(.+)$/.exec(tag);
  if (!m || semver.valid(m[2]!) !== m[2]) return null;
  return { id: m[1]!, version: m[2]! };
}
