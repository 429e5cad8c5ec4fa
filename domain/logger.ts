import { pino, type Logger } from 'pino';

/** Structured JSON logs (one line per event) for every process. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, base: { service: name } });
}
