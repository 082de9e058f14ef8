import express, { Router } from 'express';
import { z } from 'zod';
import type { GitImports } from '../git/gitImports.js';
import { parseDelivery } from '../git/parseDelivery.js';
import { detectProvider, verifySignature } from '../git/verifySignature.js';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { Principal } from '../auth/principal.js';
import { parseRequest } from './parse.js';

/** The webhook reads its own raw body (the HMAC covers the exact bytes): app.ts's JSON parser must skip it. */
export const gitWebhookPath = '/api/catalog/git/webhook';

/** GitHub caps deliveries at 25 MB; so do we. */
const maxWebhookBytes = '25mb';

export const SyncBody = z.object({ url: z.string().min(1).max(2048), ref: z.string().min(1).max(1024).optional() });

export function gitRoutes(deps: { gitImports: GitImports; webhookSecret: string | undefined }): Router {
  // Exact paths only, so the JSON parser's skip and this route can never disagree about a URL.
  const r = Router({ caseSensitive: true, strict: true });

  // The signature is the webhook's identity (SPEC §7), checked below.
  r.post(gitWebhookPath, allow('public', 'item.import'), express.raw({ type: () => true, limit: maxWebhookBytes }), async (req, res) => {
    const body = rawBody(req.body);
    const provider = detectProvider(req.headers);
    verifySignature(provider, req.headers, body, deps.webhookSecret);
    const delivery = parseDelivery(provider, req.headers, body);
    if (delivery.kind === 'ignored') {
      res.json({ ok: true, ignored: true, message: delivery.reason });
      return;
    }
    res.status(202).json(await deps.gitImports.receiveTagPush(delivery));
  });

  r.post('/api/catalog/git/sync', allow('publisher', 'item.sync'), async (req, res) => {
    const body = parseRequest(SyncBody, req.body);
    const p = req.principal as Principal;
    auditNote(res, { target: body.ref ? `${body.url} ${body.ref}` : body.url });
    res.status(202).json(await deps.gitImports.requestSync(body.url, body.ref, { id: p.id, username: p.username, role: p.role, groups: p.groups }));
  });

  return r;
}

function rawBody(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  // Something parsed the body before us; its bytes are gone and no signature can be checked.
  throw new Error(`${gitWebhookPath} needs the raw request body: mount express.json so that it skips this path`);
}
