/**
 * Every Redis key and channel Shelf uses, in one place. `prefix` lets tests
 * (and several Shelf installations) share one Redis without colliding.
 */
export function redisKeys(prefix = 'shelf') {
  return {
    prefix,
    /** hash: item id → JSON CatalogItem (the catalog listing, kept current on every import). */
    catalog: `${prefix}:catalog`,
    /** string: a new random value with every change of `catalog`, so readers know when their cached listing is stale. */
    catalogGeneration: `${prefix}:catalog:generation`,
    /** hash: version → JSON VersionRecord. */
    versions: (itemId: string) => `${prefix}:item:${itemId}:versions`,
    /** string: JSON ImportRecord. */
    importRecord: (importId: string) => `${prefix}:import:${importId}`,
    /** sorted set: importId scored by creation time. */
    imports: `${prefix}:imports`,
    /** sorted set: the failed or ignored ones among `imports`, trimmed apart so refusals cannot flush the history. */
    importsRefused: `${prefix}:imports:refused`,
    /** string: importId of a webhook delivery id (redelivery dedupe). */
    delivery: (deliveryId: string) => `${prefix}:delivery:${deliveryId}`,
    /** string with a TTL: importId of a Git tag import, keyed by sha256 of (repository, tag, commit). */
    gitTagImport: (hash: string) => `${prefix}:git:tag:${hash}`,
    /** hash: the job's fields (JSON values). */
    job: (jobId: string) => `${prefix}:job:${jobId}`,
    /** sorted set of job ids scored by creation time: all jobs. */
    jobsAll: `${prefix}:jobs:all`,
    /** sorted set of job ids by creation time, per state. */
    jobsByState: (state: string) => `${prefix}:jobs:state:${state}`,
    /** sorted set of job ids by creation time, per item. */
    jobsByItem: (itemId: string) => `${prefix}:jobs:item:${itemId}`,
    /** sorted set of job ids by creation time, per item and state: what a search with a state filter pages. */
    jobsByItemState: (itemId: string, state: string) => `${prefix}:jobs:item:${itemId}:state:${state}`,
    /** hash: job id → its item id, so a listing can tell the items of many jobs in one read. */
    jobItems: `${prefix}:jobs:items`,
    /** hash: user id → bytes of job inputs their stored jobs hold (the per-user inputs quota). */
    jobInputBytesByUser: `${prefix}:jobs:input-bytes`,
    /** hash: item id → how many of its jobs are in `state` (the size of jobsByItemState), so a search counts without reading every set. */
    jobCountsByItem: (state: string) => `${prefix}:jobs:counts:${state}`,
    /** string: the version of the job indexes' layout the store was last brought up to. */
    jobsLayoutVersion: `${prefix}:jobs:layout`,
    /** sorted set, every score 0: lowercase job ids, so ZRANGEBYLEX finds ids by prefix. */
    jobIds: `${prefix}:jobs:ids`,
    /** sorted set: scratch space of the job listing script, emptied before the script answers. */
    jobsTemp: (token: string) => `${prefix}:jobs:tmp:${token}`,
    /** list of JSON ApprovalDecision, oldest first. */
    jobApprovals: (jobId: string) => `${prefix}:job:${jobId}:approvals`,
    /** sorted set of job ids by creation time: jobs awaiting approval that name this principal (see principalIndexName). */
    jobsAwaiting: (principal: string) => `${prefix}:jobs:awaiting:${principal}`,
    /** string: the job's secret inputs, sealed (SecretBox, context `job:<id>`) as JSON {pointer: value}; kept apart from the job hash. */
    jobSecrets: (jobId: string) => `${prefix}:job:${jobId}:secrets`,
    /** hash: secret name → JSON named secret record, its value sealed (context `secret:<name>`). */
    secrets: `${prefix}:secrets`,
    /** list of JSON LogLine. */
    jobLog: (jobId: string) => `${prefix}:job:${jobId}:log`,
    /** string: the log's byte count, for the cap. */
    jobLogBytes: (jobId: string) => `${prefix}:job:${jobId}:logbytes`,
    /** pub/sub: JSON JobSummary on every state or progress change. */
    jobEventsChannel: `${prefix}:events:jobs`,
    /** pub/sub: JSON LogLine[] batches of one job. */
    jobLogChannel: (jobId: string) => `${prefix}:events:log:${jobId}`,
    /** pub/sub pattern matching every job's log channel. */
    jobLogPattern: `${prefix}:events:log:*`,
    /** string with a TTL (an hour past its last beat): JSON WorkerHeartbeat of one worker. */
    worker: (workerId: string) => `${prefix}:worker:${workerId}`,
    /** SCAN pattern of every worker heartbeat. */
    workerPattern: `${prefix}:worker:*`,
    /** string with the heartbeat's TTL: `drain` while an admin wants the worker drained (read at every beat). */
    workerControl: (workerId: string) => `${prefix}:worker-control:${workerId}`,
    /** pub/sub: the id of a worker whose workerControl just changed, so it acts before its next beat. */
    workerControlChannel: `${prefix}:events:worker-control`,
    /** set: the run queues jobs were ever queued on (runQueueName of each label set items asked for), so workers find them. */
    runQueues: `${prefix}:run-queues`,
    /** pub/sub: the name of a run queue just added to runQueues, so the workers covering it start consuming it at once. */
    runQueuesChannel: `${prefix}:events:run-queues`,
    /** prefix of the per-state index keys, as the job scripts want it. */
    jobsByStatePrefix: `${prefix}:jobs:state:`,
    /** BullMQ's own key prefix, under ours. */
    bullPrefix: `${prefix}:bull`,
    /** pub/sub: job ids whose cancellation was asked for. */
    cancelChannel: `${prefix}:events:cancel`,
    /** sorted set of job ids by creation time, per submitting user id. */
    jobsByUser: (userId: string) => `${prefix}:jobs:user:${userId}`,
    /** sorted set of job ids by creation time: the user's jobs in an activeState (their SHELF_MAX_ACTIVE_JOBS_PER_USER count). */
    jobsActiveByUser: (userId: string) => `${prefix}:jobs:active:${userId}`,
    /** string (SET NX): JSON ItemOwners, written by the first publish of an item id. */
    itemOwners: (itemId: string) => `${prefix}:item:${itemId}:owners`,
    /** hash: permission name (`egress`) → JSON {by, at} of the admin who granted it to an item id. */
    itemGrants: (itemId: string) => `${prefix}:item:${itemId}:grants`,
    /** string: bytes of all stored bundles (the store quota's counter). */
    storeBytes: `${prefix}:store:bytes`,
    /** hash: publisher (`source.importedBy`) → bytes of the bundles they stored. */
    storeBytesByPublisher: `${prefix}:store:bytes-by-publisher`,
    /** hash: a user's fields. */
    user: (userId: string) => `${prefix}:user:${userId}`,
    /** hash: lowercase username → user id (usernames are unique whatever their case). */
    usernames: `${prefix}:users:byname`,
    /** hash: OIDC `issuer|sub` → user id. */
    userSubjects: `${prefix}:users:bysubject`,
    /** sorted set of user ids by creation time. */
    users: `${prefix}:users`,
    /** set: the session key hashes of one user, so disabling them ends every session. */
    userSessions: (userId: string) => `${prefix}:user:${userId}:sessions`,
    /** set: the token ids one user created. */
    userTokens: (userId: string) => `${prefix}:user:${userId}:tokens`,
    /** hash with a TTL: one session, keyed by the sha256 of its cookie value. */
    session: (hash: string) => `${prefix}:session:${hash}`,
    /** hash: one API token's record (never the secret). */
    token: (tokenId: string) => `${prefix}:token:${tokenId}`,
    /** string: token id by the keyed hash of its secret. */
    tokenByHash: (hash: string) => `${prefix}:token-hash:${hash}`,
    /** string with a TTL: a pending OIDC login by its state. */
    oidcState: (state: string) => `${prefix}:oidc:state:${state}`,
    /** stream: the audit log. */
    audit: `${prefix}:audit`,
    /** prefix of rate-limiter-flexible's keys. */
    rateLimitPrefix: `${prefix}:ratelimit`,
    /** hash: webhook id → JSON stored webhook (its secret encrypted). */
    webhooks: `${prefix}:webhooks`,
    /** list of JSON DeliveryAttempt, newest first, capped: one webhook's delivery log. */
    webhookAttempts: (webhookId: string) => `${prefix}:webhook:${webhookId}:attempts`,
    /** string with a TTL: JSON of one delivery (target, event, exact body), for redelivery. */
    webhookDelivery: (deliveryId: string) => `${prefix}:webhook-delivery:${deliveryId}`,
    /** hash: schedule id → JSON stored schedule. */
    schedules: `${prefix}:schedules`,
    /** list of JSON ScheduleRun, newest first, capped: one schedule's ticks. */
    scheduleRuns: (scheduleId: string) => `${prefix}:schedule:${scheduleId}:runs`,
    /** string: the id of the newest job the schedule started (the overlap rule's, however many runs were skipped since). */
    scheduleLastJob: (scheduleId: string) => `${prefix}:schedule:${scheduleId}:last-job`,
    /** string with a TTL: held while one run of the schedule starts (a tick and "run now" never both pass the overlap check). */
    scheduleLock: (scheduleId: string) => `${prefix}:schedule:${scheduleId}:lock`,
    /** string: the schedule's secret inputs, sealed (context `schedule:<id>`) as JSON {pointer: value}. */
    scheduleSecrets: (scheduleId: string) => `${prefix}:schedule:${scheduleId}:secrets`,
    /** hash: preset id → JSON preset of one item. */
    presets: (itemId: string) => `${prefix}:item:${itemId}:presets`,
    /** string with a TTL: the callbackUrl of one job. */
    jobCallback: (jobId: string) => `${prefix}:callback:${jobId}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;

/** BullMQ queue names; prefixed the same way as the keys. */
export const QueueName = {
  run: 'shelf-run',
  gitSync: 'shelf-git-sync',
  /** One delayed job per job awaiting approval (BullMQ job id = the job id), consumed by the API: the approval's timeout. */
  approvalTimeout: 'shelf-approval-timeout',
  /** Notifications: one fan-out job per event, then one job per webhook delivery or e-mail (API processes consume). */
  notify: 'shelf-notify',
  /** One BullMQ job scheduler per schedule (id = the schedule's), consumed by the API: each tick starts a run. */
  schedule: 'shelf-schedule',
} as const;
