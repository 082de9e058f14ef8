import { Router } from 'express';
import { z } from 'zod';
import { notifyEvents, webhookFormats } from '@shelf/contract';
import { allow, auditNote } from '../auth/httpGuards.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { deliveryLogLimits } from '../notify/deliveryLog.js';
import type { NotifyServices } from '../notify/index.js';
import { parseRequest } from './parse.js';

export const NewWebhook = z
  .object({
    url: z.string().min(1).max(2048),
    events: z.array(z.enum(notifyEvents)).min(1).max(notifyEvents.length),
    secret: z.string().min(16, 'a secret has at least 16 characters; leave it out to have one generated').max(256).optional(),
    format: z.enum(webhookFormats).default('shelf'),
  })
  .strict();

export const DeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(deliveryLogLimits.attemptsKept).default(50) });

/** Outbound webhooks (SPEC §8), for admins: register, list, delete, read the delivery log, redeliver. */
export function webhookRoutes(notify: NotifyServices): Router {
  const r = Router();

  r.post('/api/webhooks', allow('admin', 'webhook.create'), async (req, res) => {
    const created = await notify.createWebhook(parseRequest(NewWebhook, req.body), actorOf(req.principal as Principal));
    auditNote(res, { target: `${created.id} ${created.url}`, detail: created.events.join(',') });
    res.status(201).json(created);
  });

  r.get('/api/webhooks', allow('admin'), async (_req, res) => {
    res.json({ items: await notify.listWebhooks() });
  });

  r.delete('/api/webhooks/:id', allow('admin', 'webhook.delete'), async (req, res) => {
    const removed = await notify.deleteWebhook(req.params.id);
    auditNote(res, { target: `${removed.id} ${removed.url}` });
    res.status(204).end();
  });

  r.get('/api/webhooks/:id/deliveries', allow('admin'), async (req, res) => {
    const { limit } = parseRequest(DeliveriesQuery, req.query, 'query');
    res.json({ items: await notify.attempts(req.params.id, limit) });
  });

  r.post('/api/webhooks/:id/deliveries/:deliveryId/redeliver', allow('admin', 'webhook.redeliver'), async (req, res) => {
    const answer = await notify.redeliver(req.params.id, req.params.deliveryId);
    auditNote(res, { target: `${req.params.id} ${req.params.deliveryId}`, detail: `as ${answer.delivery}` });
    res.status(202).json(answer);
  });

  return r;
}
