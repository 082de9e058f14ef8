import { z } from '../zod.js';
import { Actor, IsoTime, Role, pageOf } from './common.js';

/** Who someone is, as both `GET /api/me` and the users listing say it. */
const identity = {
  id: z.string(),
  username: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  role: Role,
};

export const Me = z
  .object({
    ...identity,
    groups: z.array(z.string()),
    via: z.enum(['session', 'token']),
    notifyOnFinish: z.boolean().optional().openapi({ description: 'Absent for SHELF_ADMIN_TOKEN.' }),
  })
  .openapi('Me');

export const AuthConfig = z
  .object({ local: z.boolean(), oidc: z.object({ enabled: z.boolean(), label: z.string() }), setupPending: z.boolean() })
  .openapi('AuthConfig');

export const UserInfo = z
  .object({
    ...identity,
    source: z.enum(['local', 'oidc']),
    disabled: z.boolean(),
    createdAt: IsoTime,
    lastLoginAt: IsoTime.nullable(),
  })
  .openapi('UserInfo');

export const CreatedUser = z.object({ id: z.string(), username: z.string(), role: Role }).openapi('CreatedUser');

const tokenShape = {
  id: z.string(),
  name: z.string(),
  role: Role,
  hint: z.string().openapi({ description: 'The first characters of the secret, to recognise it.' }),
  owner: Actor,
  createdAt: IsoTime,
  expiresAt: IsoTime.nullable(),
  lastUsedAt: IsoTime.nullable(),
};
export const TokenInfo = z.object(tokenShape).openapi('TokenInfo');
export const CreatedToken = z.object({ ...tokenShape, token: z.string().openapi({ description: 'The secret (`shelf_…`): shown this once, stored hashed.' }) }).openapi('CreatedToken');

export const AuditPage = pageOf(
  z
    .object({
      id: z.string(),
      ts: IsoTime,
      actor: z.string(),
      action: z.string(),
      target: z.string(),
      outcome: z.enum(['ok', 'denied', 'failed']),
      ip: z.string(),
      detail: z.string().optional(),
    })
    .openapi('AuditEntry'),
).openapi('AuditPage');
