import type { ServerMessage } from '@shelf/contract';

/**
 * A server message serialised and framed once (RFC 6455 §5.2: FIN, text opcode, unmasked, as
 * every server frame is) so that the very same bytes can go to every client that wants it.
 * A log line followed by 50 browser tabs is then encoded once, not 50 times.
 */
export class PreparedFrame {
  constructor(
    /** The whole frame: header, then the UTF-8 JSON payload. */
    readonly bytes: Buffer,
    private readonly headerLength: number,
  ) {}

  static of(message: ServerMessage): PreparedFrame {
    const payload = Buffer.from(JSON.stringify(message));
    const n = payload.length;
    const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    const bytes = Buffer.allocUnsafe(headerLength + n);
    bytes[0] = 0x81; // FIN + text
    if (headerLength === 2) bytes[1] = n;
    else if (headerLength === 4) {
      bytes[1] = 126;
      bytes.writeUInt16BE(n, 2);
    } else {
      bytes[1] = 127;
      bytes.writeBigUInt64BE(BigInt(n), 2);
    }
    payload.copy(bytes, headerLength);
    return new PreparedFrame(bytes, headerLength);
  }

  /** The JSON text, for a socket that can only be written through ws. */
  get text(): string {
    return this.bytes.toString('utf8', this.headerLength);
  }
}
