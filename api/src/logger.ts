import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Credentials never reach a log line: bearer tokens, session cookies, the GitLab webhook token. */
const redact = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-gitlab-token"]', 'res.headers["set-cookie"]'];

/** `destination` is stdout unless a test captures the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'shelf-api' }, redact };
  return destination ? pino(options, destination) : pino(options);
}
