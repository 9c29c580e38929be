// The `campaign` pipeline: premise → outline (LLM; reviewed by a person when asked, or when scenes cannot be
// reached or lead nowhere) → chapters (one activity per scene, a bounded window in flight) → flowchart →
// illustrations (ComfyUI on a GPU pool) → export. Pause holds new work; cancel reaches chapters in flight.
import {
  proxyActivities, proxyLocalActivities, workflowInfo, isCancellation, CancellationScope, setCurrentDetails,
  ActivityCancellationType, ApplicationFailure, patched,
} from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { CampaignActivities, SettledOutline } from '../activities/campaign.ts';
import type { CampaignInput } from '../core/campaign/premise.ts';
import { type PipelineState, type StepState } from './messages.ts';
import { describeFailure, handleMessages, recordPauses, stageShower } from './lifecycle.ts';
import { reviewEvents, reviewLoop } from './review.ts';
import { referenceProblems, scenesOf, type Outline } from './campaign-outline.ts';
import { illustrate, inWindow } from './campaign-steps.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
const quick = proxyActivities<CampaignActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 } });
const writer = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '20 minutes',
  // the LLM activities heartbeat every second: a lost worker is noticed in seconds and the chapter retried elsewhere
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 8 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
const files = proxyActivities<CampaignActivities>({ startToCloseTimeout: '10 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 10 } });

/** the validator's check of a person's edited outline: references must hold (the activity checks the rest) */
function editProblem(outline: unknown): string | undefined {
  if (!outline || typeof outline !== 'object' || Array.isArray(outline)) return 'edits.outline must be the whole outline object (title, hook, acts, npcs, locations)';
  const problems = referenceProblems(outline as Outline);
  return problems.length ? `the edited outline cannot be used: ${problems.slice(0, 6).join('; ')}` : undefined;
}

export async function campaignWorkflow(input: CampaignInput): Promise<PipelineState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: PipelineState = { pipeline: 'campaign', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [] };
  handleMessages(state);
  let project = 'default';
  const showStage = stageShower(state, () => project);
  const enter = async (stage: string, details: string) => {
    showStage(stage, details);
    await jobs.recordStage(jobId, stage, state.paused ? 'PAUSED' : 'RUNNING');
  };
  const reviews = reviewLoop(state, reviewEvents(jobId, jobs, () => state.stage));
  const inFlight = new Set<Promise<void>>();
  const step = (id: string, label: string): StepState => {
    const created: StepState = { id, label, status: 'pending', attempts: 0, assets: [] };
    state.steps.push(created);
    return created;
  };

  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const registered = await quick.registerCampaign(input, { correlationId });
    project = registered.premise.project ?? 'default';
    recordPauses(jobId, state, jobs);

    // outline: written, then reviewed when the person asked or when something needs their decision
    const outlineStep = step('outline', 'Outline');
    let settled: SettledOutline | undefined;
    let instructions: string | undefined;
    let problem: string | undefined;
    for (;;) {
      if (!settled) {
        await enter('outlining', `writing the outline: ${registered.title}`);
        Object.assign(outlineStep, { status: 'running', attempts: outlineStep.attempts + 1, error: undefined });
        try {
          settled = await writer.writeOutline({ jobId, instructions });
          problem = undefined;
        } catch (error) {
          if (isCancellation(error)) throw error;
          problem = describeFailure(error);
        }
      }
      const storyProblems = settled?.report.problems ?? [];
      if (!problem && !storyProblems.length && !registered.premise.reviewOutline) break;
      outlineStep.status = 'awaiting-review';
      await enter('awaiting-review', `waiting for the outline's review: ${settled?.outline.title ?? registered.title}`);
      const decision = await reviews.waitFor({
        stepId: 'outline', kind: 'outline',
        title: settled ? `Outline: ${settled.outline.title}` : 'The outline could not be written',
        reason: problem && !settled ? `${problem}. Ask again (add instructions for the LLM) or reject.`
          : problem ? `${problem}. Fix it and approve again.`
          : storyProblems.length ? `Decide: ${storyProblems.join('. ')}.` : 'Review the outline: edit, add, remove or reorder acts and scenes, then approve.',
        decisions: settled ? ['approve', 'retry', 'reject'] : ['retry', 'reject'],
        suggestedPrompt: instructions ?? '',
        detail: settled ? { outline: settled.outline, revision: settled.revision, problems: storyProblems, unreachable: settled.report.unreachable, deadEnds: settled.report.deadEnds } : { error: problem },
      }, (d) => (d.decision === 'approve' && d.edits?.outline !== undefined ? editProblem(d.edits.outline) : undefined));
      if (decision.decision === 'reject') throw ApplicationFailure.nonRetryable(`the outline was rejected${decision.by ? ` by ${decision.by}` : ''}: the campaign ends here`, 'OutlineRejected');
      if (decision.decision === 'retry') {
        instructions = decision.prompt;
        settled = undefined;
        continue;
      }
      if (decision.edits?.outline !== undefined) {
        try {
          settled = await quick.saveOutline({ jobId, outline: decision.edits.outline });
        } catch (error) {
          if (isCancellation(error)) throw error;
          problem = describeFailure(error);
          continue;
        }
      }
      break;
    }
    const { outline, revision } = settled!;
    outlineStep.status = 'done';
    const scenes = scenesOf(outline);

    await enter('chapters', `writing ${scenes.length} chapters: ${outline.title}`);
    const chapterSteps = scenes.map((scene) => ({ scene, step: step(`chapter-${scene.id}`, `Chapter: ${scene.title}`) }));
    // one chapter more than the fan-out is started: it waits for an LLM slot at the worker and takes it the moment
    // one is given back, so the LLM never waits for a workflow round trip (campaigns started before this: no wait)
    const leased = patched('chapter-llm-slots');
    const chapterWindow = () => registered.chapterFanout + (leased ? 1 : 0);
    await inWindow(state, inFlight, chapterSteps, chapterWindow, async ({ scene, step: chapter }) => {
      chapter.status = 'running';
      chapter.attempts += 1;
      try {
        await writer.writeChapter({ jobId, sceneId: scene.id, revision, ...(leased ? { slots: registered.chapterFanout } : {}) });
      } catch (error) {
        if (!isCancellation(error)) Object.assign(chapter, { status: 'failed', error: describeFailure(error) });
        throw error;
      }
      chapter.status = 'done';
      setCurrentDetails(`${chapterSteps.filter((c) => c.step.status === 'done').length}/${scenes.length} chapters written: ${outline.title}`);
    });

    await enter('flowchart', `drawing the flowchart: ${outline.title}`);
    const flowchartStep = step('flowchart', 'Flowchart');
    flowchartStep.assets = await files.drawFlowchart({ jobId });
    flowchartStep.status = 'done';
    state.assets.push(...flowchartStep.assets);

    const planned = await quick.planIllustrations({ jobId });
    if (planned.length) {
      await enter('illustrations', `illustrating ${planned.length} scenes and NPCs on pool ${registered.pool}: ${outline.title}`);
      await illustrate(state, inFlight, jobId, registered.pool, registered.gpuWindow, planned, step, quick);
    }

    await enter('exporting', `exporting the pack: ${outline.title}`);
    const exportStep = step('export', 'Export');
    exportStep.assets = await files.exportCampaign({ jobId });
    exportStep.status = 'done';
    state.assets.push(...exportStep.assets);

    state.status = 'COMPLETED';
    await enter('completed', `done: ${outline.title}`);
    await jobs.finishJob(jobId, 'COMPLETED', { assets: state.assets.length });
    return state;
  } catch (error) {
    const cancelled = isCancellation(error);
    state.status = cancelled ? 'CANCELLED' : 'FAILED';
    state.error = cancelled ? undefined : describeFailure(error);
    for (const s of state.steps) if (['running', 'pending', 'awaiting-review'].includes(s.status)) s.status = cancelled ? 'cancelled' : 'skipped';
    reviews.withdraw('outline');
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled([...inFlight]);
      showStage(cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : `failed: ${state.error}`);
      await jobs.finishJob(jobId, cancelled ? 'CANCELLED' : 'FAILED', { error: state.error, assets: state.assets.length });
    });
    throw error;
  }
}

