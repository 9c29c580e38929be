// A campaign's first steps: record the job and its premise, have the LLM write the outline (checked with zod and
// for references that must exist; repaired by asking again), and keep a person's edited outline.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { recordNewJob } from '../jobs.ts';
import { activityLlmOptions, asActivityFailure } from '../llm-activity.ts';
import { campaignInputSchema, provisionalTitle, type CampaignPremise } from '../../core/campaign/premise.ts';
import { MAX_SCENES, outlineSchema } from '../../core/campaign/outline.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { describeZodIssues } from '../llm-json.ts';
import { referenceProblems, scenesOf, storyReport, type Outline, type StoryReport } from '../../workflows/campaign-outline.ts';
import { OUTLINE_SYSTEM, outlinePrompt } from './prompts.ts';
import { requireLlm, type CampaignDeps } from './deps.ts';

export interface RegisteredCampaign {
  premise: CampaignPremise;
  title: string;
  pool: string;
  /** illustrations in flight at once (the GPU pool's window) */
  gpuWindow: number;
  /** chapters in flight at once */
  chapterFanout: number;
}

export interface SettledOutline { outline: Outline; revision: number; report: StoryReport }

export async function loadPremise(deps: Pick<CampaignDeps, 'campaigns'>, jobId: string): Promise<{ premise: CampaignPremise; outline?: Outline; revision: number }> {
  const row = await deps.campaigns.get(jobId);
  if (!row) throw ApplicationFailure.nonRetryable(`no campaign "${jobId}"`, 'NotFound');
  return { premise: campaignInputSchema.parse(row.premise), outline: (row.outline ?? undefined) as Outline | undefined, revision: row.outlineRevision };
}

export function outlineActivities(deps: CampaignDeps) {
  const outlineCheck = (outline: Outline) => {
    const problems = referenceProblems(outline);
    const count = scenesOf(outline).length;
    if (count > MAX_SCENES) problems.push(`the outline has ${count} scenes; write at most ${MAX_SCENES}`);
    return problems;
  };

  return {
    /** Checks the input (it may come from the temporal CLI), records the job and the campaign. */
    async registerCampaign(raw: unknown, meta: { correlationId?: string }): Promise<RegisteredCampaign> {
      const parsed = campaignInputSchema.safeParse(raw ?? {});
      const title = parsed.success ? provisionalTitle(parsed.data) : 'campaign (bad input)';
      let problem = parsed.success ? undefined : describeIssues(parsed.error);
      const pool = parsed.success ? parsed.data.pool ?? deps.defaultPool : undefined;
      if (!problem && parsed.data!.illustrate !== 'none' && !pool) problem = 'no GPU pool is configured for the illustrations: set ATELIER_GPU_POOLS, or send "illustrate": "none"';
      if (!problem && pool && !deps.gpuPools.includes(pool)) problem = `GPU pool "${pool}" is not configured; pools: ${deps.gpuPools.join(', ') || 'none'}`;
      const jobId = await recordNewJob(deps, {
        pipeline: 'campaign', title, project: parsed.success ? parsed.data.project : undefined, correlationId: meta.correlationId, problem,
        inputSummary: parsed.success ? { ...parsed.data } : { raw: raw as Record<string, unknown> },
      });
      await deps.campaigns.register(jobId, title, { ...parsed.data! });
      return { premise: parsed.data!, title, pool: pool ?? '', gpuWindow: deps.comfyInflight + 1, chapterFanout: deps.chapterFanout };
    },

    /** The LLM's outline for the premise (again with a person's instructions after a "retry"). */
    async writeOutline(input: { jobId: string; instructions?: string }): Promise<SettledOutline> {
      requireLlm(deps);
      const { premise } = await loadPremise(deps, input.jobId);
      await deps.emit(input.jobId, 'outline.requested', { attempt: Context.current().info.attempt, instructions: input.instructions ?? null });
      // heartbeats while the model writes (a JSON reply does not stream): a cancel reaches the request in a second
      const alive = setInterval(() => Context.current().heartbeat({ step: 'outline' }), 1000);
      try {
        const { value, attempts } = await deps.llm.completeJson({
          schema: outlineSchema, name: 'campaign_outline', system: OUTLINE_SYSTEM, user: outlinePrompt(premise, input.instructions), check: outlineCheck, temperature: 0.8,
        }, activityLlmOptions(deps.emit, input.jobId, 'outline'));
        const report = storyReport(value, premise.level);
        const revision = await deps.campaigns.saveOutline(input.jobId, value, report.problems);
        await deps.emit(input.jobId, 'outline.written', { revision, title: value.title, acts: value.acts.length, scenes: scenesOf(value).length, npcs: value.npcs.length, tries: attempts.length, repaired: attempts.filter((a) => a.problem).map((a) => a.problem), problems: report.problems });
        return { outline: value, revision, report };
      } catch (error) {
        throw asActivityFailure(error);
      } finally {
        clearInterval(alive);
      }
    },

    /** A person's edited outline: the whole shape checked here (the workflow's validator checked the references). */
    async saveOutline(input: { jobId: string; outline: unknown }): Promise<SettledOutline> {
      const parsed = outlineSchema.safeParse(input.outline);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`the edited outline does not fit: ${describeZodIssues(parsed.error)}`, 'BadOutline');
      const problems = outlineCheck(parsed.data);
      if (problems.length) throw ApplicationFailure.nonRetryable(`the edited outline does not fit: ${problems.join('; ')}`, 'BadOutline');
      const { premise } = await loadPremise(deps, input.jobId);
      const report = storyReport(parsed.data, premise.level);
      const revision = await deps.campaigns.saveOutline(input.jobId, parsed.data, report.problems);
      await deps.emit(input.jobId, 'outline.edited', { revision, title: parsed.data.title, scenes: scenesOf(parsed.data).length, problems: report.problems });
      return { outline: parsed.data, revision, report };
    },
  };
}
