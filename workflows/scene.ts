// The `scene` pipeline: ingest → plan (vision LLM) → optional plan review → for each step: run on the job's image-edit
// backend → pixel check → review (failed checks, or every step) → export (ZIP and OpenRaster).
import { ApplicationFailure, isCancellation, proxyActivities, proxyLocalActivities, workflowInfo, CancellationScope } from '@temporalio/workflow';
import type { JobActivities } from '../activities/jobs.ts';
import type { SceneActivities } from '../activities/scene.ts';
import type { SceneInput } from '../core/scene-input.ts';
import { describeFailure, handleMessages, markEnded, recordPauses, stageShower } from './lifecycle.ts';
import { reviewEvents, reviewLoop } from './review.ts';
import { planProblems, type ScenePlan } from './scene-plan.ts';
import type { SceneState } from './scene-state.ts';
import { toSceneStep } from './scene-steps.ts';
import { stepRunner } from './scene-run.ts';

const jobs = proxyLocalActivities<JobActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });
// LLM calls answer in one piece (no heartbeat while a model thinks); rate limits are waited out inside the call
const scene = proxyActivities<SceneActivities>({ startToCloseTimeout: '15 minutes', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 } });

export async function sceneWorkflow(input: SceneInput): Promise<SceneState> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const state: SceneState = { pipeline: 'scene', stage: 'registering', status: 'RUNNING', paused: false, steps: [], assets: [], awaitingReview: [], planAttempts: [] };
  handleMessages(state);
  let project = 'default';
  const showStage = stageShower(state, () => project);
  const reviews = reviewLoop(state, reviewEvents(jobId, jobs, () => state.stage));
  const stage = async (name: string, details: string) => {
    showStage(name, details);
    await jobs.recordStage(jobId, name, state.paused ? 'PAUSED' : 'RUNNING');
  };

  try {
    const correlationId = typeof info.memo?.correlationId === 'string' ? info.memo.correlationId : undefined;
    const { params, title, source } = await scene.registerScene(input, { correlationId });
    project = params.project ?? 'default';
    state.source = source;
    state.plate = source;
    state.canvas = { width: source.width ?? 0, height: source.height ?? 0 };
    state.options = { backend: params.backend, pool: params.pool, reviewPlan: params.reviewPlan, review: params.review, autoRetries: params.autoRetries, instructions: params.instructions };
    state.assets.push(source);
    recordPauses(jobId, state, jobs);

    // plan: the planner, and a person when its replies never fit (or when the job asks to review the plan)
    let plan: ScenePlan | undefined;
    let guidance: string | undefined;
    while (!plan) {
      await stage('planning', `planning the layers of ${title}`);
      try {
        plan = await scene.planScene({ jobId, source, instructions: params.instructions, guidance, attempt: state.planAttempts.length + 1 });
        state.planAttempts.push({ at: new Date().toISOString(), ok: true, guidance });
      } catch (error) {
        if (isCancellation(error)) throw error;
        const problem = describeFailure(error);
        state.planAttempts.push({ at: new Date().toISOString(), ok: false, error: problem, guidance });
        await stage('awaiting-review', `the planner's reply did not fit: ${title}`);
        const record = await reviews.waitFor({
          stepId: 'plan', kind: 'plan', title: 'The plan could not be made',
          reason: `The planner could not give a usable plan: ${problem}. Ask it again (with guidance if you like), write the plan yourself, or stop the job.`,
          decisions: ['retry', 'approve', 'reject'], suggestedPrompt: params.instructions || 'Take the picture apart into its main objects and a clean background.',
          detail: { error: problem, plan: null },
        }, (d) => (d.decision === 'approve' ? planEditProblem(d.edits) : undefined));
        if (record.decision === 'reject') throw ApplicationFailure.nonRetryable(`the plan was rejected (${record.source})`, 'PlanRejected');
        if (record.decision === 'approve') plan = record.edits!.plan as ScenePlan;
        else guidance = record.prompt;
      }
    }
    if (params.reviewPlan) {
      await stage('awaiting-review', `waiting for the plan to be approved: ${title}`);
      state.plan = plan;
      const record = await reviews.waitFor({
        stepId: 'plan', kind: 'plan', title: 'Approve the plan',
        reason: 'This job asks for the plan to be approved: edit, reorder, delete or add steps, then approve.',
        decisions: ['approve', 'reject'], detail: { plan },
      }, (d) => (d.decision === 'approve' && d.edits !== undefined ? planEditProblem(d.edits) : undefined));
      if (record.decision === 'reject') throw ApplicationFailure.nonRetryable(`the plan was rejected (${record.source})`, 'PlanRejected');
      if (record.edits?.plan) plan = record.edits.plan as ScenePlan;
    }
    state.plan = plan;
    state.steps = plan.steps.map(toSceneStep);

    const run = stepRunner({ jobId, state, reviews, stage, title });
    for (const [index, step] of state.steps.entries()) await run(step, index);

    await stage('exporting', `exporting the layers of ${title}`);
    state.exports = await run.exportAll();
    state.assets.push(state.exports.zip, state.exports.ora);

    showStage('completed', `done: ${title}`);
    state.status = 'COMPLETED';
    await jobs.finishJob(jobId, 'COMPLETED', { assets: state.assets.length });
    return state;
  } catch (error) {
    const cancelled = markEnded(state, error);
    for (const request of [...state.awaitingReview]) reviews.withdraw(request.stepId);
    for (const step of state.steps) if (['running', 'pending', 'awaiting-review'].includes(step.status)) step.status = cancelled ? 'cancelled' : 'skipped';
    await CancellationScope.nonCancellable(async () => {
      showStage(state.stage, state.error ?? 'cancelled');
      await jobs.finishJob(jobId, cancelled ? 'CANCELLED' : 'FAILED', { error: state.error, assets: state.assets.length });
    });
    throw error;
  }
}

/** words for what is wrong with an edited plan sent with `approve`, or undefined */
function planEditProblem(edits: Record<string, unknown> | undefined): string | undefined {
  if (!edits || !('plan' in edits)) return 'send the plan with the decision: {"edits": {"plan": {summary, globalRules, steps}}}';
  const problems = planProblems(edits.plan);
  return problems.length ? `the edited plan cannot run: ${problems.slice(0, 6).join('; ')}` : undefined;
}
