// What a review decision sent over HTTP (UI, CLI, MCP, scripts) may hold; the workflow's validator checks the rest.
import { z } from 'zod';
import { DECISION_NAMES } from '../workflows/review-decisions.ts';

const assetId = z.string().regex(/^a_[0-9a-f]{24}$/, 'asset ids look like a_ followed by 24 hex digits (POST /api/uploads gives them)');

export const reviewInputSchema = z.object({
  stepId: z.string({ error: 'stepId is required: the step awaiting review (GET /api/jobs/:id lists them under state.awaitingReview)' }).min(1).max(200),
  decision: z.enum(DECISION_NAMES, { error: `decision must be one of ${DECISION_NAMES.join(', ')}` }),
  decisionId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'decisionId must be 1-100 letters, digits or . _ : -').optional(),
  prompt: z.string().trim().min(1, 'prompt is empty').max(4000, 'prompt is longer than 4000 characters').optional(),
  maskAssetId: assetId.optional(),
  assetIds: z.array(assetId).max(500, 'at most 500 assetIds').optional(),
  edits: z.record(z.string(), z.unknown()).optional(),
  note: z.string().max(1000, 'note is longer than 1000 characters').optional(),
  source: z.enum(['ui', 'cli', 'api', 'mcp'], { error: 'source must be ui, cli, api or mcp' }).optional(),
  by: z.string().max(100).optional(),
}).strict();

export type ReviewInput = z.infer<typeof reviewInputSchema>;
