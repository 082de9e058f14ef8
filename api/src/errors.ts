import type { ErrorRequestHandler } from 'express';
import { ErrorCode, type ErrorBody, type Problem } from '@shelf/contract';
import { BundleError } from '@shelf/contract/itemFolder';

/** Base of every error the API answers with on purpose; its type decides the HTTP status. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, ErrorCode.BAD_REQUEST, message, details);
  }
}

/** A 422 lists at most this many problems (a 400 KB request once answered 12.7 MB of them). */
export const maxListedProblems = 100;

/**
 * Content that was understood but is not acceptable: 422 listing its problems, the first
 * {@link maxListedProblems} of them; `details.moreProblems` says how many were left out.
 * `total` is the count when the caller already dropped some.
 */
export class ValidationError extends AppError {
  readonly problems: Problem[];

  constructor(message: string, problems: Problem[] = [], total = problems.length) {
    const listed = problems.slice(0, maxListedProblems);
    const more = total - listed.length;
    super(
      422,
      ErrorCode.VALIDATION_FAILED,
      more > 0 ? `${message} (the first ${listed.length} of ${total} problems are listed)` : message,
      listed.length ? { problems: listed, ...(more > 0 ? { moreProblems: more } : {}) } : undefined,
    );
    this.problems = listed;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, key: string) {
    super(404, ErrorCode.NOT_FOUND, `${what} not found: ${key}`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, ErrorCode.CONFLICT, message, details);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, ErrorCode.FORBIDDEN, message);
  }
}

/** No credentials, or ones that are not valid (any more): 401. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'sign in first: this needs a session or an API token') {
    super(401, ErrorCode.UNAUTHENTICATED, message);
  }
}

/** Too many attempts: 429 with `Retry-After`. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, ErrorCode.RATE_LIMITED, message, { retryAfterSeconds });
  }
}

/** Storing this would pass a quota the operator set: 507, naming the quota and its setting. */
export class QuotaExceededError extends AppError {
  constructor(message: string, details?: unknown) {
    super(507, ErrorCode.QUOTA_EXCEEDED, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, ErrorCode.PAYLOAD_TOO_LARGE, message);
  }
}

export class UnavailableError extends AppError {
  constructor(message: string) {
    super(503, ErrorCode.UNAVAILABLE, message);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Maps what express's body parsers throw (bad JSON, too large) onto our codes. */
function fromParserError(err: { type?: string; status?: number; message?: string }): AppError | undefined {
  if (err.type === 'entity.too.large') return new PayloadTooLargeError('request body is too large');
  if (err.type === 'entity.parse.failed') return new BadRequestError(`malformed JSON body: ${err.message ?? ''}`.trim());
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new BadRequestError(err.message ?? 'bad request');
  }
  return undefined;
}

/**
 * The API error an error stands for, or undefined for a bug or an outage. Shared code (the item
 * folder and bundle rules in `@shelf/contract/itemFolder`, which the CLI runs too) throws its own
 * typed errors; this is the one place they get an HTTP status.
 */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof BundleError) return new AppError(422, ErrorCode.BUNDLE_INVALID, err.message, err.entry === undefined ? undefined : { entry: err.entry });
  return undefined;
}

/** The one place where errors become HTTP answers. */
export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  const known = toAppError(err) ?? fromParserError(err as object);
  if (known) {
    // The client may still be sending an oversized body; we will not read it.
    if (known.status === 413) res.setHeader('Connection', 'close');
    if (known instanceof RateLimitedError) res.setHeader('Retry-After', String(known.retryAfterSeconds));
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json(errorBody(ErrorCode.INTERNAL, 'internal error'));
};
