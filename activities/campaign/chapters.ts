// One chapter per scene, streamed from the LLM: the text arrives in the job's events as it is written (a few
// events a second, not one per token), heartbeats carry cancellation in, and a chapter already written for this
// outline is not written again when the activity is retried (a worker killed mid-way).
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { activityLlmOptions, asActivityFailure } from '../llm-activity.ts';
import { CHAPTER_SYSTEM, chapterPrompt, missingSections } from './prompts.ts';
import { loadPremise } from './outline.ts';
import { requireLlm, type CampaignDeps } from './deps.ts';

/** `slots`: how many chapters of this job may be at the LLM at once (the workflow starts one more activity than
 *  that, which waits here for a slot, so the next request leaves the moment one ends) */
export interface ChapterInput { jobId: string; sceneId: string; revision: number; slots?: number }

const LEASE_MS = 30_000;
const POLL_MS = 10;
export interface WrittenChapter { sceneId: string; characters: number; writes: number; reused: boolean }

export function chapterActivities(deps: CampaignDeps) {
  const eventEveryMs = deps.chapterEventMs ?? 250;

  // the outline a revision names never changes: read it once per worker, not once per chapter
  const outlines = new Map<string, Promise<Awaited<ReturnType<typeof loadPremise>>>>();
  const outlineOf = (jobId: string, revision: number) => {
    const key = `${jobId}@${revision}`;
    if (!outlines.has(key)) {
      if (outlines.size > 50) outlines.delete(outlines.keys().next().value!);
      outlines.set(key, loadPremise(deps, jobId).catch((error) => { outlines.delete(key); throw error; }));
    }
    return outlines.get(key)!;
  };

  async function writeChapter(input: ChapterInput): Promise<WrittenChapter> {
    const context = Context.current();
    const { jobId, sceneId } = input;
    requireLlm(deps);
    const [existing, { premise, outline, revision }] = await Promise.all([deps.campaigns.chapter(jobId, sceneId), outlineOf(jobId, input.revision)]);
    if (existing && existing.outlineRevision === input.revision) {
      await deps.emit(jobId, 'chapter.written', { scene: sceneId, characters: existing.text.length, writes: existing.writes, reused: true }, { dedupeKey: `chapter.written:${sceneId}:${existing.writes}` });
      return { sceneId, characters: existing.text.length, writes: existing.writes, reused: true };
    }
    if (!outline || revision !== input.revision) throw ApplicationFailure.nonRetryable(`campaign "${jobId}" is at outline revision ${revision}, not ${input.revision}`, 'OutlineChanged');
    const attempt = context.info.attempt;

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
    const llmOptions = activityLlmOptions(deps.emit, jobId, `chapter-${sceneId}`);
    let lastBeat = 0;
    const slot = input.slots && deps.leases ? { leases: deps.leases, scope: `chapters:${jobId}`, holder: `${jobId}/${context.info.activityId}`, renewed: Date.now() } : undefined;
    const beat = () => {
      context.heartbeat({ scene: sceneId, characters: text.length, slot: slot ? 'held or waited for' : undefined });
      if (slot && Date.now() - slot.renewed > LEASE_MS / 3) {
        slot.renewed = Date.now();
        slot.leases.renew(slot.scope, slot.holder, LEASE_MS).catch(() => {});
      }
    };
    // heartbeats also while the model thinks before its first token (or a slot is awaited), so a cancel is seen within a second or two
    const alive = setInterval(beat, 1000);
    let publishing: Promise<unknown> = Promise.resolve();
    try {
      if (slot) {
        while ((await slot.leases.tryAcquire(slot.scope, input.slots!, slot.holder, LEASE_MS, jobId)) === undefined) {
          if (context.cancellationSignal.aborted) throw new CancelledFailure('cancelled');
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      }
      // events go out in order, off the stream's path: the request starts while `chapter.started` is written
      publishing = deps.emit(jobId, 'chapter.started', { scene: sceneId, attempt }).catch(() => {});
      text = await deps.llm.streamText({ system: CHAPTER_SYSTEM, user: chapterPrompt(outline, sceneId, premise) }, (_delta, soFar) => {
        text = soFar;
        const now = Date.now();
        if (now - lastEvent < eventEveryMs) return;
        lastEvent = now;
        publishing = publishing.then(publish).catch(() => {});
      }, {
        ...llmOptions,
        // a heartbeat per streamed token is hundreds a second across chapters: a few a second carry the same news
        onAlive: (detail) => { const now = Date.now(); if (now - lastBeat >= 200) { lastBeat = now; llmOptions.onAlive?.(detail); } },
      });
    } catch (error) {
      if (context.cancellationSignal.aborted || error instanceof CancelledFailure) {
        await publishing;
        await deps.emit(jobId, 'chapter.cancelled', { scene: sceneId, attempt, characters: text.length }).catch(() => {});
        throw error instanceof CancelledFailure ? error : new CancelledFailure('cancelled');
      }
      throw asActivityFailure(error);
    } finally {
      clearInterval(alive);
      // the slot is free as soon as the text is in: the next chapter's request leaves now, while this one is saved
      if (slot) await slot.leases.release(slot.scope, slot.holder).catch(() => {});
    }
    const missing = missingSections(text);
    if (missing.length) await deps.emit(jobId, 'chapter.notice', { scene: sceneId, message: `the chapter for ${sceneId} has no ${missing.join(', ')} section${missing.length > 1 ? 's' : ''}; it is kept as written` }, { level: 'warn' });
    // the last text event and the chapter's row together: the row is what counts, the event is for the live view
    const [writes] = await Promise.all([deps.campaigns.saveChapter(jobId, sceneId, input.revision, text), publishing.then(publish).catch(() => {})]);
    await deps.emit(jobId, 'chapter.written', { scene: sceneId, characters: text.length, writes, reused: false }, { dedupeKey: `chapter.written:${sceneId}:${writes}` });
    return { sceneId, characters: text.length, writes, reused: false };
  }

  return { writeChapter };
}
