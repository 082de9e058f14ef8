import type { Operation } from './operation.js';
import { adminOperations } from './paths/admin.js';
import { authOperations } from './paths/auth.js';
import { catalogOperations } from './paths/catalog.js';
import { docsOperations } from './paths/docs.js';
import { jobOperations } from './paths/jobs.js';
import { operationsOperations } from './paths/operations.js';
import { scheduleOperations } from './paths/schedules.js';

/** Every operation Shelf serves, each declared once (SPEC §4, §7–§11). */
export const allOperations: readonly Operation[] = [
  ...operationsOperations,
  ...authOperations,
  ...catalogOperations,
  ...jobOperations,
  ...scheduleOperations,
  ...adminOperations,
  ...docsOperations,
];
