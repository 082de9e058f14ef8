import { MIN_SECRET_LENGTH, SECRET_MASK } from '@shelf/contract';

/**
 * A base64 middle this short matches by chance too often in ordinary base64 (hashes, blobs),
 * and what it hides of the secret is a few bytes at most.
 */
const MIN_BASE64_MIDDLE = 8;
/**
 * The prefilter looks for this much of each form: enough that ordinary lines rarely pass it,
 * short enough that a 64 KiB secret stays well inside V8's limit on a RegExp's size.
 */
const PREFILTER_CHARS = 16;

interface Span {
  start: number;
  end: number;
}

/**
 * Replaces a job's secret values, and the forms a job is likely to print them in, by
 * {@link SECRET_MASK} in its log lines, progress messages and outputs.
 */
export class SecretMasker {
  private readonly forms: string[];
  /** Matches every text that holds a form (and a few that only hold a form's start): most lines pass in one regex pass. */
  private readonly prefilter: RegExp | undefined;

  constructor(values: string[]) {
    const forms = new Set<string>();
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH) continue; // refused earlier by the API; masking it would blank out half the log
      for (const form of formsOf(value)) {
        if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
      }
    }
    this.forms = [...forms];
    const starts = new Set(this.forms.map((form) => escapeRegExp(form.slice(0, PREFILTER_CHARS))));
    this.prefilter = starts.size > 0 ? new RegExp([...starts].join('|')) : undefined;
  }

  get active(): boolean {
    return this.prefilter !== undefined;
  }

  /** `text` with every form of every secret masked; `text` itself when it holds none. */
  mask(text: string): string {
    if (!this.prefilter?.test(text)) return text;
    return maskSpans(text, this.spansIn(text));
  }

  /**
   * For a line cut at the length cap: a secret may have been cut in two, so a trailing start of
   * any form is masked as well. This masks a last character that merely looks like one; that is
   * the price of never showing the first half of a secret.
   */
  maskTruncated(text: string): string {
    if (!this.prefilter) return text;
    const spans = this.prefilter.test(text) ? this.spansIn(text) : [];
    const cutAt = this.cutFormStart(text);
    if (cutAt !== undefined) spans.push({ start: cutAt, end: text.length });
    return maskSpans(text, spans);
  }

  /**
   * A copy of a job's outputs (parsed JSON) with every string masked, object keys too. A number or
   * boolean that spells a secret becomes the mask, a string. The value itself when there are no
   * secrets; never changed in place.
   */
  maskDeep(value: unknown): unknown {
    if (!this.active) return value;
    if (typeof value === 'string') return this.mask(value);
    if (typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      return this.mask(text) === text ? value : SECRET_MASK;
    }
    if (Array.isArray(value)) return value.map((item) => this.maskDeep(item));
    if (typeof value === 'object' && value !== null) {
      // fromEntries defines own properties, so a "__proto__" key stays a key instead of setting the prototype.
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.mask(key), this.maskDeep(item)]));
    }
    return value;
  }

  /**
   * Every occurrence of every form, overlapping ones included. Masking their union (instead of
   * replacing one form after another) means no form is left half-masked because a shorter or
   * overlapping one was replaced first.
   */
  private spansIn(text: string): Span[] {
    const spans: Span[] = [];
    for (const form of this.forms) {
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
        spans.push({ start: at, end: at + form.length });
      }
    }
    return spans;
  }

  /** Where the longest proper start of a form that ends the text begins, or undefined. */
  private cutFormStart(text: string): number | undefined {
    // A cut inside a multi-byte character decodes to U+FFFD: look at what comes before it.
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end--;
    let longest = 0;
    for (const form of this.forms) longest = Math.max(longest, formStartAtEnd(text, end, form));
    return longest > 0 ? end - longest : undefined;
  }
}

/** For jobs without secrets: every method hands its input back untouched. */
export const noSecrets = new SecretMasker([]);

/** The ways a job may print `value`: as is, line by line, base64, URL- and JSON-encoded. */
function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const base64 = bytes.toString('base64');
  const forms = [
    value,
    // A multi-line value reaches the log one line at a time (as GitHub Actions masks it too).
    ...value.split(/\r\n|\r|\n/),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    ...base64Middles(bytes),
    JSON.stringify(value).slice(1, -1),
  ];
  const uri = uriEncoded(value);
  if (uri !== undefined) forms.push(uri, uri.replaceAll('%20', '+'));
  return forms;
}

/**
 * What base64 shows of the secret when it sits inside a longer encoded stream
 * (`echo -n "user:$SECRET" | base64`). Only the byte offset modulo 3 changes the encoding, so
 * offsets 0, 1 and 2 cover every case; of each encoding only the whole 4-character groups made
 * of the secret's bytes alone are kept, since the groups at either end mix in the bytes around it.
 */
function base64Middles(bytes: Buffer): string[] {
  const middles: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const wholeGroupsEnd = Math.floor((offset + bytes.length) / 3) * 4;
    const middle = encoded.slice(offset === 0 ? 0 : 4, wholeGroupsEnd);
    if (middle.length >= MIN_BASE64_MIDDLE) middles.push(middle);
  }
  return middles;
}

function uriEncoded(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined; // a lone surrogate has no URI form, so a job cannot print one either
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The length of the longest proper start of `form` that ends `text` at `end` (0 if none).
 * Knuth–Morris–Pratt over the last characters, so a long secret against a long line stays linear.
 */
function formStartAtEnd(text: string, end: number, form: string): number {
  const size = Math.min(form.length - 1, end);
  if (size <= 0) return 0;
  const fallback = prefixFunction(form, size);
  let matched = 0;
  for (let i = end - size; i < end; i++) {
    const c = text.charCodeAt(i);
    while (matched > 0 && c !== form.charCodeAt(matched)) matched = fallback[matched - 1] ?? 0;
    if (c === form.charCodeAt(matched)) matched++;
  }
  return matched;
}

/** KMP's table for `form`'s first `size` characters: at each i, the longest proper start of form[0..i] that also ends it. */
function prefixFunction(form: string, size: number): Int32Array {
  const table = new Int32Array(size);
  let k = 0;
  for (let i = 1; i < size; i++) {
    const c = form.charCodeAt(i);
    while (k > 0 && c !== form.charCodeAt(k)) k = table[k - 1] ?? 0;
    if (c === form.charCodeAt(k)) k++;
    table[i] = k;
  }
  return table;
}

/** `text` with each run of overlapping or touching spans replaced by one mask. */
function maskSpans(text: string, spans: Span[]): string {
  const [first, ...rest] = spans.sort((a, b) => a.start - b.start);
  if (!first) return text;
  let out = '';
  let copied = 0;
  let { start, end } = first;
  for (const span of rest) {
    if (span.start > end) {
      out += text.slice(copied, start) + SECRET_MASK;
      copied = end;
      start = span.start;
    }
    end = Math.max(end, span.end);
  }
  return out + text.slice(copied, start) + SECRET_MASK + text.slice(end);
}
