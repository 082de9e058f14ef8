import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { loadAuthKey } from '../auth/authKey.js';

const sealedPrefix = 'v1:';

/**
 * The notification area's keys, derived from the installation's auth key (SHELF_AUTH_KEY, else
 * `<SHELF_DATA_DIR>/auth.key`), so every API host that shares that key seals, opens and signs
 * alike and no second key file exists: one key (AES-256-GCM) seals webhook secrets at rest,
 * another derives each job's callback secret, so nothing about callbacks is stored.
 */
export class NotifyKeys {
  private readonly sealKey: Buffer;
  private readonly callbackKey: Buffer;

  constructor(root: Buffer) {
    this.sealKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'shelf notify: webhook secrets', 32));
    this.callbackKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'shelf notify: job callbacks', 32));
  }

  static async load(authKey: string | undefined, dataDir: string): Promise<NotifyKeys> {
    return new NotifyKeys(await loadAuthKey(authKey, dataDir));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return sealedPrefix + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the value was sealed under another key (SHELF_AUTH_KEY changed). */
  open(sealed: string): string {
    const raw = Buffer.from(sealed.slice(sealedPrefix.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The secret that signs a job's callback deliveries; handed to the submitter once, at submission. */
  callbackSecret(jobId: string): string {
    return `cbsec_${createHmac('sha256', this.callbackKey).update(jobId).digest('base64url')}`;
  }
}
