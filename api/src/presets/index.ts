import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { formatBytes, type Preset, type RedisKeys } from '@shelf/contract';
import { canRunItem } from '../auth/policy.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import { check } from '../jobs/enqueueJob.js';
import type { InputValidator } from '../jobs/inputValidator.js';
import type { Registry } from '../registry/registry.js';

/** `POST /api/catalog/:id/presets`. */
export const PresetRequest = z
  .object({
    name: z.string().trim().min(1).max(80),
    inputs: z.record(z.string(), z.unknown()),
    shared: z.boolean().default(false),
  })
  .strict();
export type PresetRequest = z.infer<typeof PresetRequest>;

/** A preset is a form's worth of answers, not a data set. */
export const maxPresetBytes = 64 * 1024;
/** Presets one user may keep per item. */
export const maxPresetsPerUser = 50;

export interface PresetServiceOptions {
  keys: RedisKeys;
  registry: Pick<Registry, 'getVersion'>;
  inputs: Pick<InputValidator, 'secretPointers'>;
}

/**
 * Presets: named input sets per item, private to their owner or shared with everyone who may run
 * the item. They need not be complete (a form's defaults for staging, say), so they are not
 * checked against the schema — but secret inputs are dropped: a preset never stores a secret.
 */
export function createPresetServices(redis: Redis, opts: PresetServiceOptions) {
  const read = async (itemId: string): Promise<Preset[]> => (await redis.hvals(opts.keys.presets(itemId))).map((raw) => JSON.parse(raw) as Preset);

  return {
    /** The caller's own presets and the shared ones (those only if the caller may run the item), own first. */
    list: async (itemId: string, by: Principal): Promise<Preset[]> => {
      const version = await opts.registry.getVersion(itemId, 'latest');
      const mayRun = canRunItem(by, version.manifest).allowed;
      const visible = (await read(version.id)).filter((p) => p.owner.id === by.id || by.role === 'admin' || (p.shared && mayRun));
      return visible.sort((a, b) => Number(b.owner.id === by.id) - Number(a.owner.id === by.id) || a.name.localeCompare(b.name));
    },
    /** Saves the caller's preset; one of theirs with the same name is replaced. Answers it and whether it is new. */
    save: async (itemId: string, request: PresetRequest, by: Principal): Promise<{ preset: Preset; created: boolean }> => {
      const version = await opts.registry.getVersion(itemId, 'latest');
      check(canRunItem(by, version.manifest));
      const bytes = Buffer.byteLength(JSON.stringify(request.inputs));
      if (bytes > maxPresetBytes) throw new PayloadTooLargeError(`a preset's inputs weigh ${formatBytes(bytes)}; at most ${formatBytes(maxPresetBytes)}`);
      const inputs = structuredClone(request.inputs);
      for (const pointer of await opts.inputs.secretPointers(version, inputs)) dropAt(inputs, pointer);
      const existing = await read(version.id);
      const same = existing.find((p) => p.owner.id === by.id && p.name === request.name);
      if (!same && existing.filter((p) => p.owner.id === by.id).length >= maxPresetsPerUser) {
        throw new ConflictError(`you have ${maxPresetsPerUser} presets for ${version.id} already; delete one first`);
      }
      const now = new Date().toISOString();
      const preset: Preset = {
        id: same?.id ?? randomBytes(8).toString('hex'),
        itemId: version.id,
        name: request.name,
        inputs,
        shared: request.shared,
        owner: actorOf(by),
        createdAt: same?.createdAt ?? now,
        updatedAt: now,
      };
      await redis.hset(opts.keys.presets(version.id), preset.id, JSON.stringify(preset));
      return { preset, created: !same };
    },
    /** Its owner or an admin deletes it; anyone else gets 404, as for a preset that is not there. */
    delete: async (itemId: string, presetId: string, by: Principal): Promise<Preset> => {
      const raw = await redis.hget(opts.keys.presets(itemId), presetId);
      const preset = raw ? (JSON.parse(raw) as Preset) : undefined;
      if (!preset || (preset.owner.id !== by.id && by.role !== 'admin')) throw new NotFoundError('preset', presetId);
      await redis.hdel(opts.keys.presets(itemId), presetId);
      return preset;
    },
  };
}
export type PresetServices = ReturnType<typeof createPresetServices>;

/** Removes the value at a JSON pointer (an array element is left as null, keeping the others' places). */
function dropAt(doc: unknown, pointer: string): void {
  const keys = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop();
  let node = doc;
  for (const key of keys) node = Array.isArray(node) ? node[Number(key)] : (node as Record<string, unknown> | undefined)?.[key];
  if (Array.isArray(node)) node[Number(last)] = null;
  else if (node && typeof node === 'object' && last !== undefined) delete (node as Record<string, unknown>)[last];
}
