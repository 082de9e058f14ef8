import type { ZodObject, ZodType } from 'zod';
import type { Access } from '../auth/httpGuards.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The error statuses Shelf answers on purpose (api/src/errors.ts), each with the one error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503 | 507;

/** A body or answer that is not JSON, or JSON under another media type. */
export interface Content {
  contentType: string;
  schema: ZodType | Record<string, unknown>;
  /** multipart/form-data: each part's media type. */
  encoding?: Record<string, { contentType: string }>;
}

export interface Answer {
  description: string;
  /** A zod schema (JSON), a {@link Content} for another media type, or nothing for an empty answer. */
  body?: ZodType | Content;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

/**
 * One HTTP operation as the document states it. Each route is declared once here, with the
 * rule its guard enforces: createApp refuses to start when a route of the app and its
 * operation disagree (see routeCoverage.ts).
 */
export interface Operation {
  method: Method;
  /** In Express's form (`/api/jobs/:id`), the very string the router registers. */
  path: string;
  /** The guard's rule: `allow(access, …)` on the route. */
  access: Access;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameters; one left out is a plain string. */
  params?: ZodObject;
  /** The schema the route parses `req.query` with. */
  query?: ZodObject;
  /** The schema the route parses `req.body` with (JSON), or another media type. */
  body?: ZodType | Content;
  /** Whether the body may be left out (the route reads `req.body ?? {}`). */
  bodyOptional?: boolean;
  /** Success answers by status. */
  responses: Partial<Record<number, Answer>>;
  /** The errors this route answers itself, each with when. The stack's own (401, 403, 429…) are added for every route. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

/** What Express's `res.redirect` writes under a 302 for a client that is not a browser. */
export const redirectNote: Content = { contentType: 'text/plain', schema: { type: 'string', description: '`Found. Redirecting to <Location>`' } };

/** Keeps each area's list typed without repeating the type on every entry. */
export const operations = (list: Operation[]): Operation[] => list;

export function isContent(value: unknown): value is Content {
  return typeof value === 'object' && value !== null && 'contentType' in value;
}

/** `GET /api/jobs/:id`: how the router's table, the policy and this registry name a route. */
export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

/** `/api/jobs/:id` → `/api/jobs/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The names of a path's parameters, in order. */
export const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
