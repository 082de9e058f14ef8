import { Header, Pax, type HeaderData } from 'tar';
import { BundleError } from '@shelf/contract/itemFolder';

/** tar's own default, set on the Parser too, so both skip the same oversized metadata. */
export const MAX_META_BYTES = 1024 * 1024;

/** Entries whose body describes the next entry instead of being one (as in tar's ReadEntry). */
const META_TYPES = new Set(['ExtendedHeader', 'OldExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'OldGnuLongPath', 'NextFileHasLongLinkpath']);
const PAX_TYPES = new Set(['ExtendedHeader', 'OldExtendedHeader', 'GlobalExtendedHeader']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function corrupt(detail: string): BundleError {
  return new BundleError(`bundle archive is corrupt or truncated: ${detail}`);
}

interface PendingMeta {
  type: string;
  size: number;
  parts: Buffer[];
  have: number;
}

/**
 * Reads the same tar stream as tar's Parser, block by block, and refuses what the
 * parser would read leniently instead of refusing: a size field that is negative
 * or not a number (tar takes it as 0, or as the digits before the garbage), and a
 * pax header whose records are malformed (tar drops those records silently).
 * Sizes come from tar's own Header and Pax, so both agree on where headers are.
 */
export class TarHeaderCheck {
  private partial: Buffer = Buffer.alloc(0);
  /** Body and padding bytes still to pass over. */
  private skip = 0;
  private meta: PendingMeta | undefined;
  private ex: HeaderData | undefined;
  private gex: HeaderData | undefined;
  private sawNullBlock = false;
  /** At the end marker, or at a header tar itself refuses: past it there is nothing to check. */
  private done = false;

  /** Throws a BundleError at the first header the parser should not have accepted. */
  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.done) {
      if (this.meta) {
        at += this.takeMeta(this.meta, chunk.subarray(at));
      } else if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
      } else {
        const n = Math.min(512 - this.partial.length, chunk.length - at);
        const block = this.partial.length === 0 && n === 512 ? chunk.subarray(at, at + n) : Buffer.concat([this.partial, chunk.subarray(at, at + n)]);
        at += n;
        this.partial = block.length < 512 ? block : Buffer.alloc(0);
        if (block.length === 512) this.onHeader(block);
      }
    }
  }

  private onHeader(block: Buffer): void {
    let header: Header | undefined;
    try {
      header = new Header(block, 0, this.ex, this.gex);
    } catch {
      // A base-256 field tar cannot read: the size field is judged below, tar refuses the others.
    }
    if (header?.nullBlock) {
      this.done = this.sawNullBlock;
      this.sawNullBlock = true;
      return;
    }
    this.sawNullBlock = false;
    if (header !== undefined && !header.cksumValid) return void (this.done = true); // tar: "checksum failure"
    const problem = sizeFieldProblem(block.subarray(124, 136));
    if (problem !== undefined) {
      const name = header?.path ?? block.toString('utf8', 0, 100).replace(/\0[^]*/, '');
      throw corrupt(`the header of ${JSON.stringify(name)} ${problem}`);
    }
    if (header === undefined || !header.path) return void (this.done = true); // tar refuses these itself
    // tar's own reading: pax sizes applied, folders always empty.
    const size = header.size ?? 0;
    if (META_TYPES.has(header.type)) {
      // Empty metadata is no-op for tar; oversized is skipped (and refused as an ignored entry).
      if (size > MAX_META_BYTES) this.skip = blocksFor(size);
      else if (size > 0) this.meta = { type: header.type, size, parts: [], have: 0 };
      return;
    }
    this.ex = undefined;
    this.skip = blocksFor(size);
  }

  private takeMeta(meta: PendingMeta, bytes: Buffer): number {
    const n = Math.min(meta.size - meta.have, bytes.length);
    meta.parts.push(bytes.subarray(0, n));
    meta.have += n;
    if (meta.have === meta.size) {
      this.meta = undefined;
      this.skip = blocksFor(meta.size) - meta.size;
      this.applyMeta(meta.type, Buffer.concat(meta.parts));
    }
    return n;
  }

  /** What tar's Parser does with a finished metadata body, after checking pax records. */
  private applyMeta(type: string, body: Buffer): void {
    if (PAX_TYPES.has(type)) {
      checkPaxRecords(body);
      if (type === 'GlobalExtendedHeader') this.gex = Pax.parse(body.toString('utf8'), this.gex, true);
      else this.ex = Pax.parse(body.toString('utf8'), this.ex, false);
      return;
    }
    this.ex ??= {};
    this.ex[type === 'NextFileHasLongLinkpath' ? 'linkpath' : 'path'] = body.toString('utf8').replace(/\0.*/, '');
  }
}

function blocksFor(size: number): number {
  return 512 * Math.ceil(size / 512);
}

/**
 * Octal digits after optional spaces, ended by a space, a NUL or the field's end
 * (what GNU tar accepts), or base-256 with the positive marker.
 */
function sizeFieldProblem(field: Buffer): string | undefined {
  if (field[0] === 0xff) return 'has a negative size';
  if (field[0] === 0x80) return undefined;
  if (!/^ *[0-7]+(?:[ \0]|$)/.test(field.toString('latin1'))) return 'has a size field that is not a number';
  return undefined;
}

/**
 * POSIX pax records are `<length> <key>=<value>\n`, the length counting the
 * whole record in bytes. tar reads them line by line and drops any that do not
 * add up, so a bad one would silently leave the entry with its ustar name or size.
 */
function checkPaxRecords(body: Buffer): void {
  try {
    utf8.decode(body);
  } catch {
    throw corrupt('a pax header is not valid UTF-8');
  }
  for (let at = 0; at < body.length; ) {
    const newline = body.indexOf(0x0a, at);
    const line = body.subarray(at, newline < 0 ? body.length : newline + 1);
    const shown = JSON.stringify(line.toString('utf8', 0, Math.min(line.length, 60)).replace(/\n$/, ''));
    const space = line.indexOf(0x20);
    if (space < 0 || !/^[0-9]+$/.test(line.toString('latin1', 0, space))) throw corrupt(`pax header record ${shown} has no length`);
    const declared = Number(line.toString('latin1', 0, space));
    const end = at + declared;
    if (end <= at + space + 1 || end > body.length || body[end - 1] !== 0x0a) {
      throw corrupt(`pax header record ${shown} declares ${declared} bytes but has ${line.length}`);
    }
    const record = body.toString('utf8', at + space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) throw corrupt(`pax header record ${shown} has no "key=value"`);
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    // tar cuts values at a NUL and splits records at newlines, so it would not read these as written.
    if (/[\0\n]/.test(value)) throw corrupt(`pax header record ${JSON.stringify(key)} has a NUL or newline in its value`);
    if (key === 'size' && !/^[0-9]+$/.test(value)) throw corrupt(`pax header record "size" is not a whole number of bytes`);
    at = end;
  }
}
