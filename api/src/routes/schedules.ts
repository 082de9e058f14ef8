import { Router, type Request } from 'express';
import { allow, auditNote } from '../auth/httpGuards.js';
import type { Principal } from '../auth/principal.js';
import { PresetRequest, type PresetServices } from '../presets/index.js';
import { NewScheduleRequest, ScheduleChangeRequest, type ScheduleServices } from '../schedules/index.js';
import { parseRequest } from './parse.js';

const by = (req: Request): Principal => req.principal as Principal;

/** Schedules (owner or admin) and an item's presets (SPEC §9). */
export function scheduleRoutes(deps: { schedules: ScheduleServices; presets: PresetServices }): Router {
  const { schedules, presets } = deps;
  const r = Router();

  r.get('/api/schedules', allow('viewer'), async (req, res) => {
    res.json({ items: await schedules.list(by(req)) });
  });

  r.post('/api/schedules', allow('runner', 'schedule.create'), async (req, res) => {
    const created = await schedules.create(parseRequest(NewScheduleRequest, req.body), by(req));
    auditNote(res, { target: `schedule ${created.id} ${created.itemId}@${created.version}`, detail: `${created.cron} ${created.timezone}` });
    res.status(201).json(created);
  });

  r.get('/api/schedules/:id', allow('viewer'), async (req, res) => {
    res.json(await schedules.get(req.params.id, by(req)));
  });

  r.get('/api/schedules/:id/runs', allow('viewer'), async (req, res) => {
    res.json({ items: await schedules.runs(req.params.id, by(req)) });
  });

  r.patch('/api/schedules/:id', allow('runner', 'schedule.update'), async (req, res) => {
    const change = parseRequest(ScheduleChangeRequest, req.body);
    const updated = await schedules.update(req.params.id, change, by(req));
    const what = Object.keys(change).join(',');
    auditNote(res, { target: `schedule ${updated.id} ${updated.itemId}`, detail: change.enabled === false ? `paused (${what})` : change.enabled ? `resumed (${what})` : what });
    res.json(updated);
  });

  r.delete('/api/schedules/:id', allow('runner', 'schedule.delete'), async (req, res) => {
    await schedules.delete(req.params.id, by(req));
    auditNote(res, { target: `schedule ${req.params.id}` });
    res.status(204).end();
  });

  r.post('/api/schedules/:id/run', allow('runner', 'schedule.run'), async (req, res) => {
    const run = await schedules.runNow(req.params.id, by(req));
    auditNote(res, { target: `schedule ${req.params.id}`, detail: `job ${run.jobId}` });
    res.status(202).json(run);
  });

  r.get('/api/catalog/:id/presets', allow('viewer'), async (req, res) => {
    res.json({ items: await presets.list(req.params.id, by(req)) });
  });

  r.post('/api/catalog/:id/presets', allow('runner', 'preset.save'), async (req, res) => {
    const { preset, created } = await presets.save(req.params.id, parseRequest(PresetRequest, req.body), by(req));
    auditNote(res, { target: `preset ${preset.id} ${preset.itemId} "${preset.name}"`, detail: preset.shared ? 'shared' : 'private' });
    res.status(created ? 201 : 200).json(preset);
  });

  r.delete('/api/catalog/:id/presets/:presetId', allow('runner', 'preset.delete'), async (req, res) => {
    const preset = await presets.delete(req.params.id, req.params.presetId, by(req));
    auditNote(res, { target: `preset ${preset.id} ${preset.itemId} "${preset.name}"` });
    res.status(204).end();
  });

  return r;
}
