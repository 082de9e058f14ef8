import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './config.js';

/** The Shelf version this worker runs: the root package.json's, shown in the worker registry. */
export const shelfVersion = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
