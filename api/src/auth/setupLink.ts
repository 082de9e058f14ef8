import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The first-start link: while no user exists, the API prints `<public URL>/setup?token=…` once.
 * The token lives in this process's memory only, so it dies when used or when Shelf restarts
 * (like Jenkins' initial admin password).
 */
export class SetupLink {
  private digest: Buffer | undefined;

  /** A new one-time token; the previous one, if any, stops working. */
  issue(): string {
    const token = randomBytes(24).toString('base64url');
    this.digest = createHash('sha256').update(token).digest();
    return token;
  }

  get pending(): boolean {
    return this.digest !== undefined;
  }

  /** True once for the right token: it is spent by the check. */
  redeem(token: string): boolean {
    if (!this.digest) return false;
    const ok = timingSafeEqual(createHash('sha256').update(token).digest(), this.digest);
    if (ok) this.digest = undefined;
    return ok;
  }

  revoke(): void {
    this.digest = undefined;
  }
}
