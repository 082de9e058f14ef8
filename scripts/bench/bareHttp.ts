// The bare baseline of the API and upload rows: node:http with nothing in front of it.
// argv[2]: a JSON file { "<request url>": "<file with the body to answer>" }.
// POST /upload: the raw body is hashed to disk and unpacked with node-tar, as an import must at least do.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extractTar } from 'tar';

const routes = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as Record<string, string>;
const bodies = new Map<string, Buffer>();
for (const [url, file] of Object.entries(routes)) bodies.set(url, await readFile(file));

async function upload(req: http.IncomingMessage): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelf-bench-bare-upload-'));
  try {
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const file = path.join(dir, 'bundle.tar.gz');
    await pipeline(req, tap, createWriteStream(file));
    const out = path.join(dir, 'files');
    await mkdir(out);
    await extractTar({ file, cwd: out, strict: true });
    return hash.digest('hex');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/upload') {
    upload(req).then(
      (digest) => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ digest })),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
    return;
  }
  const body = bodies.get(req.url ?? '');
  if (!body) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
