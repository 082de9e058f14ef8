import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { extract } from 'tar';
import type { Logger } from '../logger.js';
import { SandboxPath } from './sandboxPolicy.js';

/** How long an image's id is trusted before Docker is asked again (a rebuilt image is picked up after this). */
const IMAGE_RECHECK_MS = 5_000;

/** An unpacked image, held by a job until it releases it. */
export interface RootfsLease {
  rootfs: string;
  /** The image's own environment (PATH, LANG…). */
  env: string[];
  release(): void;
}

interface ImageInfo {
  id: string;
  env: string[];
  checkedAt: number;
}

/**
 * Each runtime image unpacked once per image id under `<dir>/<id>`, shared read-only by every
 * job: exported from Docker (`docker create` + `docker export`), unpacked to a temporary folder
 * and renamed into place, so a reader never sees half an image. When an image is rebuilt, the
 * old id's folder goes as soon as no job of this worker holds it.
 */
export class RootfsCache {
  private readonly images = new Map<string, ImageInfo>();
  private readonly building = new Map<string, Promise<void>>();
  private readonly holders = new Map<string, number>();
  /** Ids replaced by a newer build, removed once released. */
  private readonly retired = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Removes half-made folders and the images Docker no longer has. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const known = new Set((await this.docker.listImages({ all: true })).map((i) => hexOf(i.Id)));
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.tmp-') || !known.has(name)) await rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  async acquire(image: string): Promise<RootfsLease> {
    const info = await this.inspect(image);
    const key = hexOf(info.id);
    let build = this.building.get(key);
    if (!build) {
      build = this.ensure(image, key).finally(() => this.building.delete(key));
      this.building.set(key, build);
    }
    this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
    try {
      await build;
    } catch (err) {
      this.release(key);
      throw err;
    }
    let released = false;
    return {
      rootfs: path.join(this.dir, key),
      env: info.env,
      release: () => {
        if (released) return;
        released = true;
        this.release(key);
      },
    };
  }

  private release(key: string): void {
    const left = (this.holders.get(key) ?? 1) - 1;
    if (left > 0) {
      this.holders.set(key, left);
      return;
    }
    this.holders.delete(key);
    if (this.retired.delete(key)) void this.remove(key);
  }

  private async inspect(image: string): Promise<ImageInfo> {
    const known = this.images.get(image);
    if (known && Date.now() - known.checkedAt < IMAGE_RECHECK_MS) return known;
    let found: Docker.ImageInspectInfo;
    try {
      found = await this.docker.getImage(image).inspect();
    } catch (err) {
      // A transient error for BullMQ to retry: the image may still be building or loading.
      if ((err as { statusCode?: number }).statusCode === 404) throw new Error(`image ${image} is not available on this worker host`);
      throw err;
    }
    const info = { id: found.Id, env: found.Config.Env ?? [], checkedAt: Date.now() };
    if (known && known.id !== info.id) {
      const old = hexOf(known.id);
      this.logger.info({ image, from: known.id, to: info.id }, 'runtime image changed; unpacking the new one');
      if (this.holders.has(old)) this.retired.add(old);
      else void this.remove(old);
    }
    this.images.set(image, info);
    return info;
  }

  private async ensure(image: string, key: string): Promise<void> {
    const target = path.join(this.dir, key);
    if (await exists(target)) return;
    const started = Date.now();
    const tmp = path.join(this.dir, `.tmp-${key.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmp, { recursive: true });
    const warnings: string[] = [];
    try {
      const container = await this.docker.createContainer({ Image: image, Cmd: ['true'], NetworkDisabled: true });
      try {
        // preservePaths keeps absolute symlinks (lib64/ld-linux… → /lib/…) as they are: the
        // archive is a walk of the image's filesystem, so no entry leaves `tmp` or passes a link.
        await pipeline(
          await container.export(),
          extract({ cwd: tmp, preserveOwner: true, preservePaths: true, umask: 0, filter: (p) => !/^\.?\/?dev\//.test(p), onwarn: (code, message) => warnings.push(`${code}: ${String(message)}`) }),
        );
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
      await makeMountPoints(tmp);
      try {
        await rename(tmp, target);
      } catch (err) {
        // Another worker sharing the cache finished the same image first: theirs is as good.
        if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
      this.logger.info({ image, id: key.slice(0, 12), ms: Date.now() - started, warnings: warnings.slice(0, 5) }, 'unpacked runtime image for runc');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async remove(key: string): Promise<void> {
    await rm(path.join(this.dir, key), { recursive: true, force: true }).catch((err: unknown) =>
      this.logger.warn({ err, id: key.slice(0, 12) }, 'could not remove an old unpacked image; the next start will'),
    );
  }
}

/**
 * runc cannot create mount points in a read-only root, and must not write to a shared one:
 * every path the sandbox mounts over exists in the unpacked image beforehand.
 */
async function makeMountPoints(rootfs: string): Promise<void> {
  for (const dir of ['proc', 'dev', 'sys', SandboxPath.tmp, SandboxPath.workdir, SandboxPath.secrets, path.dirname(SandboxPath.input)]) {
    await mkdir(path.join(rootfs, dir), { recursive: true });
  }
  for (const file of [SandboxPath.input, SandboxPath.output]) await (await open(path.join(rootfs, file), 'a')).close();
  // runc gives a tmpfs the mode of the folder it covers, whatever its mode= option says.
  await chmod(path.join(rootfs, SandboxPath.tmp), 0o1777);
}

function hexOf(imageId: string): string {
  return imageId.replace(/^sha256:/, '');
}

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}
