import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * One logger per process. JSON (one line per event) for machines; readable, coloured lines when a
 * person watches a terminal (`auto`: pretty only when stdout is a TTY, as under `npm start` in a
 * terminal, never in CI, containers or when piped).
 */
export function createLogger(name: string, level: string, format: LogFormat = 'auto'): Logger {
  const options = { name, level, base: { service: name } };
  const readable = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!readable) return pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      ignore: 'pid,hostname,service',
      translateTime: 'SYS:HH:MM:ss.l',
    }),
  );
}
