import { gzipSync } from 'node:zlib';

/** Hand-made tar entries, so tests can build archives no well-behaved tool would write. */
export interface RawEntry {
  name: string;
  /** '0' file, '5' dir, '2' symlink, '1' hard link, '3' char device, '6' FIFO */
  type?: string;
  body?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** Raw bytes for the 12-byte size field, e.g. base-256 -1, in place of the body's octal length. */
  sizeField?: Buffer;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function octal(n: number, length: number): string {
  return n.toString(8).padStart(length - 1, '0') + '\0';
}

export function tarHeader(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, e.name);
  field(h, 100, 8, octal(e.mode ?? (e.type === '5' ? 0o755 : 0o644), 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  if (e.sizeField) e.sizeField.copy(h, 124, 0, 12);
  else field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(0, 12));
  h.fill(' ', 148, 156);
  field(h, 156, 1, e.type ?? '0');
  field(h, 157, 100, e.linkname ?? '');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export function rawTar(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(tarHeader(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function rawTarGz(entries: RawEntry[]): Buffer {
  return gzipSync(rawTar(entries));
}

/** The files of a minimal valid item, to combine with something hostile. */
export function validItemEntries(id = 'hello', version = '1.0.0', prefix = ''): RawEntry[] {
  return [
    {
      name: `${prefix}manifest.yaml`,
      body: `id: ${id}\nname: Hello\nversion: ${version}\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["bash", "main.sh"]\n`,
    },
    { name: `${prefix}schema.json`, body: '{"type":"object","properties":{}}' },
    { name: `${prefix}main.sh`, body: 'echo hi\n', mode: 0o755 },
  ];
}
