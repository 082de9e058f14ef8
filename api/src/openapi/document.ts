import { createRequire } from 'node:module';
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig, type ZodMediaTypeObject } from '@asteasolutions/zod-to-openapi';
import { sessionCookieName, wsJobsPath } from '@shelf/contract';
import { allOperations } from './allOperations.js';
import { isContent, openApiPath, pathParams, type Answer, type Content, type ErrorStatus, type Operation } from './operation.js';
import { ErrorBody } from './schemas/common.js';
import { manifestComponent } from './schemas/catalog.js';
import { stackErrors } from './stackErrors.js';
import { z } from './zod.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

const tags: Array<{ name: string; description: string }> = [
  { name: 'Catalog', description: 'Items, versions, descriptors and bundles.' },
  { name: 'Imports', description: 'Publishing: a local folder, an uploaded bundle, a Git tag.' },
  { name: 'Jobs', description: 'Running items as sandboxed container jobs.' },
  { name: 'Approvals', description: 'Jobs of items with an `approval:` policy wait for approvers.' },
  { name: 'Schedules', description: 'Cron schedules that run an item as their owner.' },
  { name: 'Presets', description: "Named sets of inputs for an item's form." },
  { name: 'Auth', description: 'Signing in and out, and who the caller is.' },
  { name: 'Users', description: 'Local accounts (admin).' },
  { name: 'Tokens', description: 'API tokens for scripts, CI and the `shelf` CLI.' },
  { name: 'Audit', description: 'The audit log (admin).' },
  { name: 'Webhooks', description: 'Outbound webhooks (admin).' },
  { name: 'Secrets', description: 'Named secrets (admin): values go in, never out.' },
  { name: 'Workers', description: 'The worker fleet (admin).' },
  { name: 'Operations', description: 'Probes and metrics.' },
  { name: 'Docs', description: 'This document and its reference page.' },
];

const description = `Shelf's HTTP API: a Git-ops self-service catalog of items that run as sandboxed container jobs.

Every route needs an identity — a session cookie (the web app) or \`Authorization: Bearer <token>\` (an API token, or SHELF_ADMIN_TOKEN) — except the probes, the Git webhook (its signature is its identity) and the sign-in endpoints. Roles include the ones before them: viewer, runner, publisher, admin; each operation names its minimum in \`x-shelf-access\`.

Errors are always \`{ "error": { "code", "message", "details"? } }\` (the \`ErrorBody\` schema).

Live job events are a WebSocket at \`${wsJobsPath}\`, not an HTTP operation: see \`x-shelf-websocket\`.`;

/** `/ws/jobs` as the document tells it (SPEC §4.4); OpenAPI has no WebSocket operations. */
const websocket = {
  path: wsJobsPath,
  description: 'Same credentials as the API (cookie or bearer; browsers must come from Shelf’s origin). Server → client: every state or progress change of the jobs the caller may see, and the log lines of jobs the client subscribed to. On subscribe the server first sends every stored line with seq > after, then `subscribed`, then live lines.',
  clientMessages: [{ subscribe: '<jobId>', after: 'N' }, { unsubscribe: '<jobId>' }],
  serverMessages: [
    { type: 'job', job: '<JobSummary>' },
    { type: 'log', jobId: '<jobId>', seq: 'N', stream: 'stdout | stderr | system', line: '<text>', ts: '<ISO 8601>' },
    { type: 'subscribed', jobId: '<jobId>', seq: '<last sent>' },
    { type: 'error', message: '<sentence>', jobId: '<jobId, optional>' },
  ],
};

/** `getJobsByIdLogs` from `GET /api/jobs/:id/logs`. */
function operationId(op: Operation): string {
  const words = op.path
    .split('/')
    .filter((s) => s && s !== 'api')
    .flatMap((s) => (s.startsWith(':') ? ['by', s.slice(1)] : s.split(/[^A-Za-z0-9]+/)));
  return op.method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function content(body: z.ZodType | Content): Record<string, ZodMediaTypeObject> {
  if (!isContent(body)) return { 'application/json': { schema: body } };
  return { [body.contentType]: { schema: body.schema as ZodMediaTypeObject['schema'], ...(body.encoding ? { encoding: body.encoding } : {}) } };
}

function answer(a: Answer): ResponseConfig {
  return { description: a.description, ...(a.body ? { content: content(a.body) } : {}), ...(a.headers ? { headers: a.headers } : {}) };
}

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' as const } } };

function errorAnswer(status: ErrorStatus, when: string): ResponseConfig {
  return {
    description: when.charAt(0).toUpperCase() + when.slice(1),
    content: { 'application/json': { schema: ErrorBody } },
    ...(status === 429 ? { headers: retryAfter } : {}),
  };
}

/** Both lists' sentences for a status, the stack's first. */
function mergeErrors(a: Partial<Record<ErrorStatus, string>>, b: Partial<Record<ErrorStatus, string>>): Array<[ErrorStatus, string]> {
  const statuses = [...new Set([...Object.keys(a), ...Object.keys(b)].map(Number) as ErrorStatus[])].sort();
  return statuses.map((s) => [s, [a[s], b[s]].filter(Boolean).join('; or ')]);
}

function security(op: Operation): RouteConfig['security'] {
  if (!op.path.startsWith('/api/') && op.path !== '/metrics') return [];
  // The webhook's signature is its identity; the other public routes take credentials when sent (a logout, a 401 for a bad token).
  if (op.access === 'public') return op.path === '/api/catalog/git/webhook' ? [] : [{}, { session: [] }, { bearer: [] }];
  return [{ session: [] }, { bearer: [] }];
}

function route(op: Operation): RouteConfig {
  const declared = (op.params?.shape ?? {}) as Record<string, z.ZodType>;
  const params = pathParams(op.path);
  const responses: RouteConfig['responses'] = {};
  for (const [status, a] of Object.entries(op.responses)) responses[status] = answer(a as Answer);
  for (const [status, when] of mergeErrors(stackErrors(op), op.errors ?? {})) responses[status] = errorAnswer(status, when);
  const access = op.access === 'public' ? 'No identity needed.' : `Needs the ${op.access} role.`;
  return {
    method: op.method,
    path: openApiPath(op.path),
    operationId: operationId(op),
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, access].filter(Boolean).join('\n\n'),
    security: security(op),
    'x-shelf-access': op.access,
    request: {
      ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, declared[p] ?? z.string()]))) } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.body ? { body: { required: !op.bodyOptional, content: content(op.body) } } : {}),
    },
    responses,
  };
}

/** The OpenAPI 3.1 document of every operation in {@link allOperations}. */
export function buildOpenApiDocument(operations: readonly Operation[] = allOperations): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: sessionCookieName, description: 'The web app’s session, set by `POST /api/auth/login` or single sign-on. A change made with it must come from Shelf’s own origin.' });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API token (`shelf_…`, `POST /api/tokens`) or SHELF_ADMIN_TOKEN.' });
  registry.registerComponent('schemas', 'Manifest', manifestComponent as object);
  registry.register('ErrorBody', ErrorBody);
  for (const op of operations) registry.registerPath(route(op));
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Shelf API', version, description },
    servers: [{ url: '/', description: 'This Shelf' }],
    tags,
    security: [{ session: [] }, { bearer: [] }],
    'x-shelf-websocket': websocket,
  } as Parameters<OpenApiGeneratorV31['generateDocument']>[0]);
  return document as unknown as Record<string, unknown>;
}
