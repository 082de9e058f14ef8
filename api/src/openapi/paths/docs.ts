import { operations } from '../operation.js';
import { z } from '../zod.js';

/** Where the document and its reference page are served (api/src/routes/apiDocs.ts). */
export const docsPaths = {
  document: '/api/openapi.json',
  page: '/api/docs',
  script: '/api/docs/redoc.standalone.js',
  init: '/api/docs/init.js',
} as const;

const OpenApiDocument = z.record(z.string(), z.unknown()).openapi('OpenApiDocument', { description: 'An OpenAPI 3.1 document.' });

export const docsOperations = operations([
  {
    method: 'get',
    path: docsPaths.document,
    access: 'viewer',
    tag: 'Docs',
    summary: 'This document',
    description: 'Generated at start-up from the zod schemas the routes validate with.',
    responses: { 200: { description: 'The OpenAPI document.', body: OpenApiDocument } },
  },
  {
    method: 'get',
    path: docsPaths.page,
    access: 'viewer',
    tag: 'Docs',
    summary: 'The API reference page',
    description: 'Redoc, served by Shelf itself (no CDN), reading this document.',
    responses: { 200: { description: 'An HTML page.', body: { contentType: 'text/html', schema: { type: 'string' } } } },
  },
  {
    method: 'get',
    path: docsPaths.script,
    access: 'viewer',
    tag: 'Docs',
    summary: "The reference page's script",
    description: "Redoc's standalone bundle, from Shelf's own node_modules.",
    responses: { 200: { description: 'JavaScript.', body: { contentType: 'text/javascript', schema: { type: 'string' } } } },
  },
  {
    method: 'get',
    path: docsPaths.init,
    access: 'viewer',
    tag: 'Docs',
    summary: 'Starts Redoc on the reference page',
    description: 'A script file rather than an inline one, so the page needs no inline script.',
    responses: { 200: { description: 'JavaScript.', body: { contentType: 'text/javascript', schema: { type: 'string' } } } },
  },
]);
