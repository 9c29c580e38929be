// The reply the scene planner must give (zod): its JSON schema goes to the LLM as response_format, and every reply
// is checked against it, then against the plan's cross-field rules (workflows/scene-plan.ts planProblems).
import { z } from 'zod';
import { MASK_MODES, STEP_TYPES } from '../workflows/scene-plan.ts';

const share = z.number().min(0).max(1);

export const planStepSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).describe('unique, e.g. "extract-lamp"'),
  type: z.enum(STEP_TYPES),
  target: z.string().min(1).max(200).describe('what the step is about, e.g. "the red lamp"'),
  prompt: z.string().min(1).max(2000).describe('the instruction for the image-edit model'),
  variations: z.array(z.string().min(1).max(2000)).min(3).max(5).describe('3 to 5 other wordings of the prompt, tried on a retry'),
  mask: z.enum(MASK_MODES).describe('NONE; AUTO: from the previous layer; MANUAL: a person draws it'),
  maskDilate: z.number().int().min(0).max(64).optional(),
  aspect: z.string().regex(/^[1-9]\d?:[1-9]\d?$/).optional().describe('REFRAME only: the target aspect ratio, e.g. "16:9"'),
  thresholds: z.object({
    minCoverage: share.optional(),
    maxCoverage: share.optional(),
    borderWhite: share.optional(),
    whiteTolerance: z.number().min(0).max(64).optional(),
    plateTolerance: z.number().min(0).max(64).optional(),
    minChange: share.optional(),
  }),
});

export const scenePlanSchema = z.object({
  summary: z.string().min(1).max(2000).describe('what the picture shows, in one or two sentences'),
  globalRules: z.array(z.string().min(1).max(500)).max(20).describe('rules every step follows, e.g. "keep the lighting"'),
  steps: z.array(planStepSchema).min(1).max(12),
});

export const sceneAnalysisSchema = z.object({
  description: z.string().min(1).max(2000),
  objects: z.array(z.object({
    name: z.string().min(1).max(200),
    /** left, top, width, height as shares of the image */
    box: z.array(share).length(4),
  })).max(20),
});

export type SceneAnalysis = z.infer<typeof sceneAnalysisSchema>;
