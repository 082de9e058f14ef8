import { fullFormats } from 'ajv-formats/dist/formats.js';

/** Longer strings are not `url`s; see inputFormats. */
export const maxUrlLength = 2048;

const urlPattern = fullFormats.url as RegExp;

/**
 * The `format`s item inputs are checked against: ajv-formats' "full" set (its "fast" set only
 * loosens date, time, uri and email checks; both share the rest). Every one of its regexes was
 * measured linear on 64 KiB inputs except `url`, whose `\S+(?::\S*)?@` backtracks quadratically
 * (16 KiB took 260 ms); it only sees strings up to the length browsers accept in a URL.
 */
export const inputFormats: typeof fullFormats = {
  ...fullFormats,
  url: (text: string) => text.length <= maxUrlLength && urlPattern.test(text),
};
