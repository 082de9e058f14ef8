import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A fixed hash to verify against when the user does not exist, so both answers take as long. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(phc: string | undefined, password: string): Promise<boolean> {
  if (!phc) {
    decoy ??= hash('a password nobody has, for timing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(phc, password).catch(() => false);
}
