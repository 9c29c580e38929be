// What the scene workflow's `state` query returns: the plan, every step with all its attempts, the layers and the
// exports. Read by the API, the CLI and the UI.
import type { AssetRef, PipelineState, ReviewMetric, StepState } from './messages.ts';
import type { ReviewSource } from './review-decisions.ts';
import type { MaskMode, PlanStep, ScenePlan } from './scene-plan.ts';

export const SCENE_BACKENDS = ['openai', 'comfyui'] as const;
export type SceneBackend = (typeof SCENE_BACKENDS)[number];
export type ReviewMode = 'all' | 'failed';

/** what started an attempt */
export type AttemptOrigin = 'plan' | 'auto-retry' | 'review';

export interface SceneAttempt {
  n: number;
  /** workflow time it started and ended */
  startedAt: string;
  finishedAt?: string;
  origin: AttemptOrigin;
  prompt: string;
  backend: SceneBackend;
  mask: MaskMode;
  maskAsset?: AssetRef;
  /** the background of the input was removed first (the "remove the background and retry" decision) */
  bgRemoved?: boolean;
  input: AssetRef;
  output?: AssetRef;
  metrics: ReviewMetric[];
  passed?: boolean;
  error?: string;
  /** ANALYZE: what the LLM saw */
  notes?: string;
  /** the decision taken on this attempt, and where it came from */
  decision?: { decision: string; source: ReviewSource; decisionId: string; by?: string; at: string };
}

export interface SceneStep extends StepState {
  type: PlanStep['type'];
  target: string;
  plan: PlanStep;
  history: SceneAttempt[];
  /** the attempt kept (approved, passed or accepted) */
  kept?: number;
  /** REFRAME: where the canvas before it sits in the canvas after it */
  offset?: { left: number; top: number };
}

export interface SceneOptions {
  backend: SceneBackend;
  pool: string;
  reviewPlan: boolean;
  review: ReviewMode;
  autoRetries: number;
  instructions?: string;
}

export interface SceneState extends PipelineState {
  pipeline: 'scene';
  steps: SceneStep[];
  source?: AssetRef;
  options?: SceneOptions;
  plan?: ScenePlan;
  /** every planner try: its outcome in words */
  planAttempts: { at: string; ok: boolean; error?: string; guidance?: string }[];
  /** the canvas now (REFRAME grows it) and the current clean plate */
  canvas?: { width: number; height: number };
  plate?: AssetRef;
  exports?: { zip: AssetRef; ora: AssetRef };
}
