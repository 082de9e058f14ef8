import { operations } from '../operation.js';
import { Health, Readiness } from '../schemas/operations.js';

export const operationsOperations = operations([
  {
    method: 'get',
    path: '/healthz',
    access: 'public',
    tag: 'Operations',
    summary: 'Liveness',
    description: 'The process is up. Answers whatever the Host header.',
    responses: { 200: { description: 'Up.', body: Health } },
  },
  {
    method: 'get',
    path: '/readyz',
    access: 'public',
    tag: 'Operations',
    summary: 'Readiness',
    description: 'Redis and a live worker reachable. Answers whatever the Host header.',
    responses: { 200: { description: 'Ready.', body: Readiness }, 503: { description: 'A check failed: the same body, naming it.', body: Readiness } },
  },
  {
    method: 'get',
    path: '/metrics',
    access: 'viewer',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'The Prometheus text format.', body: { contentType: 'text/plain; version=0.0.4', schema: { type: 'string' } } } },
  },
]);
