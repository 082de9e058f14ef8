import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { SecretServices } from './index.js';

/** The named secrets the example catalog's items read, so they run from a fresh `npm start`. */
const exampleSecrets = [
  {
    name: 'DB_ADMIN_PASSWORD',
    items: ['provision-database'],
    description: "The platform database servers' admin password (made up at random for the example catalog; rotate it to a real one).",
  },
];

/** Creates each missing example secret with a random value; an existing one (maybe rotated by an admin) is left alone. */
export async function seedExampleSecrets(secrets: Pick<SecretServices, 'named'>, logger: Logger): Promise<void> {
  for (const secret of exampleSecrets) {
    const created = await secrets.named.create({ ...secret, value: randomBytes(18).toString('base64url') }, 'shelf (example catalog)');
    if (created) logger.info({ secret: secret.name, items: secret.items }, 'created a random example secret');
  }
}
