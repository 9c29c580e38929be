// Illustrations: which scenes and NPCs get a picture and the prompt for each (the campaign's style first), and the
// record of the picture ComfyUI made; a person's "again" makes a new revision of one.
import { ApplicationFailure } from '@temporalio/activity';
import { recordNewJob } from '../jobs.ts';
import { illustrationTargets } from '../../workflows/campaign-outline.ts';
import { ILLUSTRATION_NEGATIVE, illustrationPrompt } from './prompts.ts';
import { loadPremise } from './outline.ts';
import type { CampaignDeps } from './deps.ts';
import type { AssetRef } from '../../workflows/messages.ts';

export interface PlannedIllustration { target: string; label: string; prompt: string; negativePrompt: string; revision: number; seed: number }

const seedOf = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);

export function artworkActivities(deps: CampaignDeps) {
  return {
    async planIllustrations(input: { jobId: string }): Promise<PlannedIllustration[]> {
      const { premise, outline } = await loadPremise(deps, input.jobId);
      if (!outline) throw ApplicationFailure.nonRetryable(`campaign "${input.jobId}" has no outline`, 'NotFound');
      return illustrationTargets(outline, premise.illustrate, premise.illustrateNpcs).map((target) => {
        const prompt = illustrationPrompt(outline, target, premise.style);
        return { target: target.target, label: target.label, prompt, negativePrompt: ILLUSTRATION_NEGATIVE, revision: 1, seed: seedOf(`${input.jobId}/${target.target}`) };
      });
    },

    async recordIllustration(input: { jobId: string; planned: PlannedIllustration; asset: AssetRef }): Promise<void> {
      const { jobId, planned, asset } = input;
      await deps.campaigns.saveIllustration({ jobId, target: planned.target, label: planned.label, prompt: planned.prompt, assetId: asset.id, revision: planned.revision });
      await deps.emit(jobId, 'illustration.ready', { target: planned.target, label: planned.label, assetId: asset.id, revision: planned.revision }, { dedupeKey: `illustration:${planned.target}:${planned.revision}` });
    },

    /** A regeneration job: its own record, and the illustration's next revision (with a new prompt if given). */
    async registerRegeneration(input: { campaignId: string; target: string; prompt?: string }, meta: { correlationId?: string }): Promise<{ planned: PlannedIllustration; pool: string; title: string }> {
      const campaign = await deps.campaigns.get(input.campaignId);
      const current = campaign ? await deps.campaigns.illustration(input.campaignId, input.target) : undefined;
      const problem = !campaign ? `no campaign "${input.campaignId}"` : !current ? `campaign "${input.campaignId}" has no illustration "${input.target}"` : undefined;
      const title = `Illustration again: ${current?.label ?? input.target} (${campaign?.title ?? input.campaignId})`;
      const premise = campaign ? (await loadPremise(deps, input.campaignId)).premise : undefined;
      await recordNewJob(deps, { pipeline: 'campaign', title, inputSummary: { ...input, regenerate: true }, project: premise?.project, correlationId: meta.correlationId, problem });
      const revision = current!.revision + 1;
      const prompt = input.prompt ? `${premise!.style}. ${input.prompt}` : current!.prompt;
      return { planned: { target: input.target, label: current!.label, prompt, negativePrompt: ILLUSTRATION_NEGATIVE, revision, seed: seedOf(`${input.campaignId}/${input.target}/${revision}`) }, pool: premise!.pool ?? deps.defaultPool ?? '', title };
    },
  };
}
