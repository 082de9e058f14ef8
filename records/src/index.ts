export { newCatalogGeneration, RegistryReader } from './registryReader.js';
export { JobRecords } from './jobRecords.js';
export { InputQuotaError } from './inputQuotaError.js';
export { RunRecorder, type AppendResult, type RunOutcome, type StartedRun } from './runRecorder.js';
export { followJobEvents, followKillRequests, type JobEventHandlers } from './jobEvents.js';
export type { NewJob } from './jobLayout.js';
export type { DecideReply } from './approvalStorage.js';
export type { JobPage, JobQuery } from './listJobs.js';
export { startJobRetention, type RetentionOptions } from './pruneJobs.js';
