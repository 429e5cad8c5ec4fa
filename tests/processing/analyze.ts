import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { statSync } from 'node:fs';
import {
  analyzeFile,
  DEFAULT_PROCESSING_LIMITS,
  type Analysis,
  type AnalyzeFileInput,
  type ProcessingLimits,
} from '../../worker/processing/index.js';
import { FixtureDir } from '../fixtures/documents.js';

/**
 * analyzeFile as the worker will call it (the file's real size and name), with the default limits
 * (some overridden) and no progress throttling.
 */
export function analyze(
  path: string,
  options: { limits?: Partial<ProcessingLimits> } & Omit<Partial<AnalyzeFileInput>, 'path' | 'limits'> = {},
): Promise<Analysis> {
  const { limits, ...rest } = options;
  return analyzeFile({
    path,
    filename: basename(path),
    ...rest,
    size: rest.size ?? statSync(path).size,
    limits: { ...DEFAULT_PROCESSING_LIMITS, ...limits },
  });
}

/** A temp folder for one test file's fixtures, removed by the returned cleanup. */
export function fixtureDir(): { fixtures: FixtureDir; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'docpipe-processing-'));
  return { fixtures: new FixtureDir(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
