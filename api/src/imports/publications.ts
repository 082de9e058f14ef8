import { EventEmitter } from 'node:events';
import type { VersionRecord } from '@shelf/contract';

/**
 * Tells who listens in this process that an import created a version (not an unchanged
 * re-import, not a rebuild of the registry at start-up). Notifications listen.
 */
export class Publications extends EventEmitter<{ published: [record: VersionRecord] }> {}
