import { stat } from 'node:fs/promises';
import { AnalysisStage, type Analysis, type ProgressUpdate } from './analysis.js';
import { detectFile, type DetectedType } from './detect.js';
import { processors } from './processors/registry.js';
import { StageProgress } from './progress.js';
import { TextCollector } from './text-collector.js';
import { detectLanguage, textPreview } from './text-insights.js';
import type { ThreadInput } from './thread-protocol.js';

/**
 * The analysis itself: detect the type, run the kind's processor, then the text statistics. Runs
 * inside the analysis thread (analysis.thread.ts): analyzeFile enforces the time and heap limits
 * from outside, the processors the others.
 */
export async function runAnalysis(
  input: ThreadInput,
  emit: (update: ProgressUpdate) => void,
  /** The file's type, when the caller has already detected it. */
  detected?: DetectedType,
): Promise<Analysis> {
  const { path, filename, limits } = input;
  const progress = new StageProgress(emit);
  progress.update(0);
  const size = input.bytes?.length ?? (await stat(path)).size;
  const { mime, kind } = detected ?? (await detectFile(path, filename));
  progress.update(1);
  progress.plan(kind);

  const load = processors[kind];
  if (!load) {
    progress.finish();
    return { detectedType: mime, kind, text: null, textTruncated: false, metadata: {} };
  }
  const processor = await load();
  const collector = new TextCollector(limits.maxTextBytes);
  progress.enter(AnalysisStage.EXTRACTING);
  const { hasText, prose, metadata, ...found } = await processor.extract({
    path,
    ...(input.bytes && { bytes: input.bytes }),
    size,
    mime,
    limits,
    progress,
    text: collector,
  });
  const analysis: Analysis = {
    detectedType: mime,
    kind,
    text: null,
    textTruncated: false,
    ...found,
    metadata,
  };

  if (hasText) {
    progress.enter(AnalysisStage.ANALYSING);
    const { text, truncated, wordCount, charCount } = collector.finish();
    analysis.text = text;
    analysis.textTruncated = truncated;
    analysis.wordCount = wordCount;
    analysis.charCount = charCount;
    analysis.language = prose ? detectLanguage(text) : null;
    analysis.textPreview = textPreview(text);
  }
  progress.finish();
  return analysis;
}
