import { AnalysisStage, type DocumentKind, type ProgressUpdate } from './analysis.js';

/** Share of the whole analysis each stage takes, per kind (detection is always first). */
const DETECTING_SHARE = 0.05;
type Plan = ReadonlyArray<readonly [AnalysisStage, number]>;
const TEXT_PLAN: Plan = [
  [AnalysisStage.EXTRACTING, 0.9],
  [AnalysisStage.ANALYSING, 0.05],
];
const PLANS: Record<DocumentKind, Plan> = {
  pdf: TEXT_PLAN,
  docx: TEXT_PLAN,
  html: TEXT_PLAN,
  text: TEXT_PLAN,
  markdown: TEXT_PLAN,
  csv: TEXT_PLAN,
  json: TEXT_PLAN,
  // With OCR (its text counts as extracting) that is most of an image's work; then the thumbnail.
  image: [
    [AnalysisStage.EXTRACTING, 0.7],
    [AnalysisStage.THUMBNAIL, 0.2],
    [AnalysisStage.ANALYSING, 0.05],
  ],
  unknown: [],
};

/**
 * Turns "stage X is this far" into one overall fraction that never decreases. Runs inside the
 * analysis thread; every update is sent, the parent coalesces them.
 */
export class StageProgress {
  readonly #emit: (update: ProgressUpdate) => void;
  #stage: AnalysisStage = AnalysisStage.DETECTING;
  #start = 0;
  #share = DETECTING_SHARE;
  #last = -1;
  #lastStage: AnalysisStage | null = null;
  #plan: Plan = [];

  constructor(emit: (update: ProgressUpdate) => void) {
    this.#emit = emit;
  }

  /** Fixes the stages that follow detection. */
  plan(kind: DocumentKind): void {
    this.#plan = PLANS[kind];
  }

  /** Enters `stage` (which must be in the plan) at 0 % of it. */
  enter(stage: AnalysisStage): void {
    let start = DETECTING_SHARE;
    for (const [name, share] of this.#plan) {
      if (name === stage) {
        this.#stage = stage;
        this.#start = start;
        this.#share = share;
        this.update(0);
        return;
      }
      start += share;
    }
    throw new Error(`stage ${stage} is not planned`);
  }

  /** Reports the current stage as `fraction` (0–1) done. */
  update(fraction: number): void {
    const overall = Math.min(1, Math.max(this.#last, this.#start + this.#share * clamp(fraction)));
    if (overall === this.#last && this.#stage === this.#lastStage) return;
    this.#last = overall;
    this.#lastStage = this.#stage;
    this.#emit({ stage: this.#stage, fraction: overall });
  }

  /** The final update: 100 % in the last stage entered. */
  finish(): void {
    if (this.#last === 1) return;
    this.#last = 1;
    this.#emit({ stage: this.#stage, fraction: 1 });
  }
}

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
