/** Log lines: JSON for machines, readable for a person at a terminal (LOG_FORMAT). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
/** Logs one line from a fresh process with `format`, its stdout piped (not a terminal). */
function logLine(format: string): string {
  const program = `import { createLogger } from './domain/logger.ts';
    createLogger('api', 'info', ${JSON.stringify(format)}).info({ documentId: 'd1' }, 'document uploaded');`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('createLogger', () => {
  it('writes JSON when asked, and by default when stdout is not a terminal', () => {
    for (const format of ['json', 'auto']) {
      const line = JSON.parse(logLine(format));
      expect(line).toMatchObject({ level: 30, service: 'api', documentId: 'd1', msg: 'document uploaded' });
    }
  });

  it('writes readable lines by default on a terminal (a pseudo-terminal from util-linux `script`)', () => {
    const program = `import { createLogger } from './domain/logger.ts'; createLogger('worker', 'info').info('job completed');`;
    const command = [
      process.execPath,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      JSON.stringify(program),
    ].join(' ');
    const out = execFileSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toMatch(/INFO.*\(worker\).*job completed/);
    expect(out).not.toContain('"msg"');
  });

  it('writes readable lines when asked', () => {
    const out = logLine('pretty');
    expect(() => JSON.parse(out)).toThrow();
    expect(out).toMatch(/INFO.*\(api\).*document uploaded/);
    expect(out).toMatch(/documentId: "d1"/);
  });
});
