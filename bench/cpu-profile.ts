/** Reading V8 CPU profiles (`node --cpu-prof`) for the profiling scripts. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Self time per function, per package, and per nearest function of ours, from a V8 CPU profile.
 * With `afterLongestGap`, only the samples after the longest gap count: a process stopped with
 * SIGSTOP and resumed for the measured work has its start-up before that gap.
 */
export function summariseProfile(path: string, opts: { afterLongestGap: boolean }) {
  const p = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The nearest of our own functions on the sample's stack: which of our code the time serves. */
  const ours = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url: file, lineNumber } = nodes.get(at)!.callFrame;
      const where = place(file);
      if (file.startsWith('file://') && !file.includes('node_modules/')) {
        return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
      }
    }
    return undefined;
  };
  const byOurs = new Map<string, number>();
  let gapAt = -1;
  let gap = 0;
  if (opts.afterLongestGap) {
    p.timeDeltas.forEach((d, i) => {
      if (d > gap) [gap, gapAt] = [d, i];
    });
  }
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (let i = gapAt + 1; i < p.samples.length; i++) {
    const us = p.timeDeltas[i]!;
    const node = nodes.get(p.samples[i]!)!;
    const { functionName, url: file, lineNumber } = node.callFrame;
    const where = place(file);
    const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPackage.set(where.split(' ')[0]!, (byPackage.get(where.split(' ')[0]!) ?? 0) + us);
    const caller = functionName === '(idle)' ? '(idle)' : (ours(node.id) ?? `(no project frame) ${where}`);
    byOurs.set(caller, (byOurs.get(caller) ?? 0) + us);
    total += us;
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
  return {
    sampledMs: Math.round(total / 1000),
    packages: top(byPackage, 15),
    functions: top(byFunction, 25),
    nearestProjectFunction: top(byOurs, 30),
  };
}

/** A package name for node_modules files, the project path for ours, the category for V8's own. */
function place(file: string): string {
  if (!file) return '(native)';
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (file.startsWith('node:')) return file;
  const project = file.indexOf(process.cwd());
  return project >= 0
    ? file.slice(project + process.cwd().length + 1)
    : file.replace(/^file:\/\/.*?\/(?=[^/]+\/[^/]+$)/, '');
}
