// What the campaign activities need, passed in by the worker (tests pass their own).
import type { CampaignRepository } from '../../db/campaigns.ts';
import type { JobRepository } from '../../db/jobs.ts';
import type { AssetRepository } from '../../db/assets.ts';
import { ApplicationFailure } from '@temporalio/activity';
import { assetIdFor, sha256, type AssetKind, type Store } from '../../core/store.ts';
import type { EmitEvent } from '../events.ts';
import type { LlmClient } from '../llm.ts';
import type { AssetRef } from '../../workflows/messages.ts';
import type { SlotLeases } from '../../db/llm-slots.ts';

export interface CampaignDeps {
  campaigns: CampaignRepository;
  jobs: JobRepository;
  assets: AssetRepository;
  store: Store;
  emit: EmitEvent;
  llm: LlmClient;
  gpuPools: string[];
  defaultPool?: string;
  /** prompts a GPU worker keeps waiting at its ComfyUI behind the running one */
  comfyInflight: number;
  /** chapters written at once per campaign */
  chapterFanout: number;
  /** leased LLM slots shared by every worker (without them a chapter never waits for one) */
  leases?: SlotLeases;
  /** how often a streaming chapter's new text becomes an event */
  chapterEventMs?: number;
}

/** writes a file of the job atomically and records it; the same name gives the same asset id */
export async function storeFile(deps: Pick<CampaignDeps, 'store' | 'assets'>, jobId: string, kind: AssetKind, fileName: string, bytes: Buffer, mime: string, extra: { width?: number; height?: number; meta?: Record<string, unknown> } = {}): Promise<AssetRef> {
  const relativePath = deps.store.relativeAssetPath(jobId, kind, fileName);
  await deps.store.writeAtomic(relativePath, bytes);
  const id = assetIdFor(relativePath);
  await deps.assets.upsert({ id, jobId, kind, relativePath, sha256: sha256(bytes), bytes: bytes.length, width: extra.width ?? null, height: extra.height ?? null, mime, meta: extra.meta ?? {} });
  return { id, path: relativePath, kind, mime, width: extra.width ?? null, height: extra.height ?? null };
}

/** an LLM must be configured before anything is asked of it (OPENAI_BASE_URL, or the demo one npm start runs) */
export function requireLlm(deps: Pick<CampaignDeps, 'llm'>): void {
  if (!deps.llm.config.baseUrl) throw ApplicationFailure.nonRetryable('no LLM is configured: set OPENAI_BASE_URL (and OPENAI_API_KEY) to an OpenAI-compatible endpoint, or start Atelier with npm start, which runs a demo one', 'LlmConfig');
}
