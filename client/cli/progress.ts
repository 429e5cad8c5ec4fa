/**
 * Per-file progress: real bars (cli-progress) on a terminal, plain lines elsewhere (pipes, CI, tests)
 * so logs stay readable. Both write to stderr: stdout carries results only. Names, stages and error
 * messages are made terminal-safe before they reach either.
 */
import cliProgress from 'cli-progress';
import type { Job } from '../sdk/index.js';
import { formatBytes } from '../common/format.js';
import { terminalSafe } from '../common/terminal-safe.js';
import { describeJob, label } from './format.js';

export interface FileProgress {
  /** `resumed`: a direct upload went on from `loaded` bytes already stored. */
  uploading(loaded: number, total: number | undefined, resumed?: boolean): void;
  uploaded(documentId: string): void;
  job(job: Job): void;
  failed(message: string): void;
}

export interface ProgressReporter {
  /** A progress line for one file; `size` (bytes) is shown when known. */
  add(name: string, size?: number): FileProgress;
  /** Prints a line without breaking the bars. */
  log(line: string): void;
  stop(): void;
}

export function createReporter(stream: NodeJS.WriteStream, names: string[]): ProgressReporter {
  return stream.isTTY ? barsReporter(stream, names) : linesReporter(stream);
}

function barsReporter(stream: NodeJS.WriteStream, names: string[]): ProgressReporter {
  const width = Math.min(32, Math.max(8, ...names.map((n) => n.length)));
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} {bar} {percentage}% | {phase}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    add(name, size) {
      const bar = multi.create(100, 0, { name: label(name, width), phase: 'waiting' });
      let resumed: string | undefined;
      return {
        uploading(loaded, total, wentOn) {
          // `loaded`/`total` count the whole multipart body (or the file's parts stored, for a
          // direct upload); the bar shows the share of it.
          const percent = total ? Math.floor((loaded / total) * 100) : 0;
          resumed ??= wentOn ? resumedAt(loaded, total) : '';
          bar.update(percent, {
            phase: `uploading${size === undefined ? '' : ` ${formatBytes(size)}`}${resumed}`,
          });
        },
        uploaded() {
          bar.update(100, { phase: 'uploaded' });
        },
        job(job) {
          // The bar already shows the percentage; the phase says what is happening.
          const phase =
            job.status === 'PROCESSING' ? `processing: ${terminalSafe(job.stage)}` : describeJob(job);
          bar.update(job.progress, { phase });
        },
        failed(message) {
          bar.update({ phase: `error: ${terminalSafe(message)}` });
        },
      };
    },
    log(line) {
      multi.log(`${terminalSafe(line)}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

function linesReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const write = (line: string) => stream.write(`${terminalSafe(line)}\n`);
  return {
    add(rawName, size) {
      const name = terminalSafe(rawName);
      let started = false;
      let last = '';
      return {
        uploading(loaded, total, wentOn) {
          if (started) return; // one line per phase, not per chunk
          started = true;
          const resumed = wentOn ? resumedAt(loaded, total) : '';
          write(`${name}: uploading${size === undefined ? '' : ` ${formatBytes(size)}`}${resumed}`);
        },
        uploaded(documentId) {
          write(`${name}: uploaded as ${documentId}`);
        },
        job(job) {
          const line = describeJob(job);
          if (line !== last) write(`${name}: ${line}`);
          last = line;
        },
        failed(message) {
          write(`${name}: error: ${message}`);
        },
      };
    },
    log: write,
    stop() {},
  };
}

/** ` (resumed at 62%)`: where a direct upload that went on started from. */
function resumedAt(loaded: number, total: number | undefined): string {
  return total ? ` (resumed at ${Math.floor((loaded / total) * 100)}%)` : ' (resumed)';
}
