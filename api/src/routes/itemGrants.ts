import { Router } from 'express';
import { z } from 'zod';
import { allow, auditNote } from '../auth/httpGuards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { ItemGrants } from '../registry/itemGrants.js';
import { grantNames, type GrantName } from '../registry/itemGrants.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { parseRequest } from './parse.js';

export const GrantChange = z.object({ granted: z.boolean() }).strict();

/** Same rule as a manifest's `id`: a grant may come before the item's first publish (a Git-first item with egress). */
function itemId(raw: string): string {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(raw)) throw new BadRequestError(`${raw} is not an item id (lowercase letters, digits and -, 2 to 63 characters)`);
  return raw;
}

function grantName(raw: string): GrantName {
  if (!(grantNames as readonly string[]).includes(raw)) throw new NotFoundError('grant', raw);
  return raw as GrantName;
}

/** What admins grant item ids beyond what their publishers can (today: network egress). */
export function itemGrantRoutes(deps: { grants: ItemGrants }): Router {
  const r = Router();

  r.get('/api/catalog/:id/grants', allow('viewer'), async (req, res) => {
    const id = itemId(req.params.id);
    res.json({ id, grants: await deps.grants.list(id) });
  });

  r.put('/api/catalog/:id/grants/:name', allow('admin', 'item.grant'), async (req, res) => {
    const id = itemId(req.params.id);
    const name = grantName(req.params.name);
    const { granted } = parseRequest(GrantChange, req.body);
    auditNote(res, { target: id, detail: `${name} ${granted ? 'granted' : 'revoked'}` });
    await deps.grants.set(id, name, granted, actorOf(req.principal as Principal));
    res.json({ id, grants: await deps.grants.list(id) });
  });

  return r;
}
