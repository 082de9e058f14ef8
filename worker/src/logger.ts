import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, workerId: string): Logger {
  return pino({ level, base: { service: 'shelf-worker', workerId } });
}
