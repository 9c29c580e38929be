// One chapter per scene, streamed from the LLM: the text arrives in the job's events as it is written (a few
// events a second, not one per token), heartbeats carry cancellation in, and a chapter already written for this
// outline is not written again when the activity is retried (a worker killed mid-way).
import { CancelledFailure, Context } from '@temporalio/activity';
import { activityLlmOptions, asActivityFailure } from '../llm-activity.ts';
import { CHAPTER_SYSTEM, chapterPrompt, missingSections } from './prompts.ts';
import { loadPremise } from './outline.ts';
import { requireLlm, type CampaignDeps } from './deps.ts';

export interface ChapterInput { jobId: string; sceneId: string; revision: number }
export interface WrittenChapter { sceneId: string; characters: number; writes: number; reused: boolean }

export function chapterActivities(deps: CampaignDeps) {
  const eventEveryMs = deps.chapterEventMs ?? 250;

  async function writeChapter(input: ChapterInput): Promise<WrittenChapter> {
    const context = Context.current();
    const { jobId, sceneId } = input;
    const existing = await deps.campaigns.chapter(jobId, sceneId);
    if (existing && existing.outlineRevision === input.revision) {
      await deps.emit(jobId, 'chapter.written', { scene: sceneId, characters: existing.text.length, writes: existing.writes, reused: true }, { dedupeKey: `chapter.written:${sceneId}:${existing.writes}` });
      return { sceneId, characters: existing.text.length, writes: existing.writes, reused: true };
    }
    requireLlm(deps);
    const { premise, outline } = await loadPremise(deps, jobId);
    if (!outline) throw new Error(`campaign "${jobId}" has no outline yet`);
    const attempt = context.info.attempt;
    await deps.emit(jobId, 'chapter.started', { scene: sceneId, attempt });

    let sent = 0;
    let text = '';
    let lastEvent = 0;
    const publish = async () => {
      if (text.length === sent) return;
      const piece = text.slice(sent);
      const offset = sent;
      sent = text.length;
      await deps.emit(jobId, 'chapter.text', { scene: sceneId, attempt, offset, text: piece }, { level: 'debug' });
    };
    let publishing = Promise.resolve();
    // heartbeats also while the model thinks before its first token, so a cancel is seen within a second or two
    const alive = setInterval(() => context.heartbeat({ scene: sceneId, characters: text.length }), 1000);
    try {
      text = await deps.llm.streamText({ system: CHAPTER_SYSTEM, user: chapterPrompt(outline, sceneId, premise) }, (_delta, soFar) => {
        text = soFar;
        const now = Date.now();
        if (now - lastEvent < eventEveryMs) return;
        lastEvent = now;
        publishing = publishing.then(publish).catch(() => {});
      }, activityLlmOptions(deps.emit, jobId, `chapter-${sceneId}`));
      await publishing;
      await publish();
    } catch (error) {
      if (context.cancellationSignal.aborted || error instanceof CancelledFailure) {
        await deps.emit(jobId, 'chapter.cancelled', { scene: sceneId, attempt, characters: text.length }).catch(() => {});
        throw error instanceof CancelledFailure ? error : new CancelledFailure('cancelled');
      }
      throw asActivityFailure(error);
    } finally {
      clearInterval(alive);
    }
    const missing = missingSections(text);
    if (missing.length) await deps.emit(jobId, 'chapter.notice', { scene: sceneId, message: `the chapter for ${sceneId} has no ${missing.join(', ')} section${missing.length > 1 ? 's' : ''}; it is kept as written` }, { level: 'warn' });
    const writes = await deps.campaigns.saveChapter(jobId, sceneId, input.revision, text);
    await deps.emit(jobId, 'chapter.written', { scene: sceneId, characters: text.length, writes, reused: false }, { dedupeKey: `chapter.written:${sceneId}:${writes}` });
    return { sceneId, characters: text.length, writes, reused: false };
  }

  return { writeChapter };
}
