/**
 * `@shelf/contract/itemFolder`: reading, checking and packing an item folder on disk, the same
 * code for the API's imports and the `shelf` CLI. Node only (node:fs, tar), so it is a sub-entry
 * of its own: the web app imports `@shelf/contract`, which must stay free of I/O.
 */
export * from './bundleError.js';
export * from './bundleLimits.js';
export * from './entryRules.js';
export * from './walkItemFolder.js';
export * from './readItemTexts.js';
export * from './packBundle.js';
export * from './checkItemFolder.js';
