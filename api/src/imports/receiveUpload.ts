import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';

/** An upload as it arrives: the request's headers and its body stream (no web framework types here). */
export interface UploadStream {
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface ReceivedUpload {
  file: string;
  fileName: string;
  bytes: number;
}

const tooLarge = (maxBytes: number) =>
  new PayloadTooLargeError(`the bundle is larger than the ${maxBytes}-byte limit (SHELF_MAX_BUNDLE_BYTES)`);

/**
 * Streams the multipart field `bundle` to `target`, refusing it (413) the moment it passes
 * `maxBytes`, so an oversized upload never lands on disk whole.
 */
export function receiveUpload(upload: UploadStream, target: string, maxBytes: number): Promise<ReceivedUpload> {
  const { headers, body: req } = upload;
  if (Number(headers['content-length'] ?? 0) > maxBytes + 64 * 1024) return Promise.reject(tooLarge(maxBytes));
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers, limits: { files: 1, fileSize: maxBytes, fields: 8, fieldSize: 1024 } });
  } catch (err) {
    return Promise.reject(new BadRequestError(`expected a multipart/form-data upload: ${(err as Error).message}`));
  }
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let settled = false;
    let upload: ReceivedUpload | undefined;
    let fileSeen = false;
    let fileWritten = false;
    let parserClosed = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume(); // drain what the client still sends so it can read our answer
      void rm(target, { force: true }).finally(() => reject(err));
    };
    const finishIfDone = () => {
      if (settled || !parserClosed || (fileSeen && !fileWritten)) return;
      if (!upload) return fail(new BadRequestError('the multipart field "bundle" with a .tar.gz file is missing'));
      settled = true;
      resolve(upload);
    };
    parser.on('file', (field, stream, info) => {
      if (field !== 'bundle' || fileSeen) {
        stream.resume();
        return;
      }
      fileSeen = true;
      const fileName = path.basename(info.filename || 'bundle.tar.gz').slice(0, 255);
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      const out = createWriteStream(target, { flags: 'wx' });
      stream.on('limit', () => {
        out.destroy();
        fail(tooLarge(maxBytes));
      });
      pipeline(stream, out).then(
        () => {
          fileWritten = true;
          upload = { file: target, fileName, bytes };
          finishIfDone();
        },
        (err: Error) => fail(err),
      );
    });
    parser.on('close', () => {
      parserClosed = true;
      finishIfDone();
    });
    parser.on('error', (err: Error) => fail(new BadRequestError(`malformed multipart upload: ${err.message}`)));
    req.on('error', (err) => fail(err));
    req.pipe(parser);
  });
}
