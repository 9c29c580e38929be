// One LISTEN for the whole API, and the same events handed to every stream of the channels they belong to. An
// event comes in its notification (db/migrations/0016_event_in_notification.sql), in the order of the log; the
// hub reads the log only after a gap: an event whose predecessor it has not handed out (a notification was lost), an
// event too large for a notification, and when its listen starts or restarts. What one read of the socket brings
// goes out as one batch.
import type { AppendedEvent, EventLog, JobEvent } from '../db/events.ts';

/** subscribe with this id to hear of every job's events */
export const ALL_JOBS = '*';

/** an event as a stream sends it: its position in the channel (the SSE id) and its SSE frame */
export interface StreamedEvent { position: number; frame: string }

/** events in the order of their positions, and all their frames in one buffer made once for every stream */
export interface StreamedBatch { events: StreamedEvent[]; frames: Buffer }

function streamedBatch(events: JobEvent[], json: string[], position: (event: JobEvent) => number): StreamedBatch {
  const streamed = events.map((event, i) => ({ position: position(event), frame: `id: ${position(event)}\ndata: ${json[i]}\n\n` }));
  return { events: streamed, frames: Buffer.from(streamed.map((e) => e.frame).join('')) };
}

const globalId = (event: JobEvent) => event.id;
const jobSeq = (event: JobEvent) => event.seq;

export type EventHub = Awaited<ReturnType<typeof eventHub>>;

/** the most events one read returns */
export const READ_PAGE = 1000;

export async function eventHub(log: EventLog, onReadError: (error: Error) => void = () => {}) {
  const listeners = new Map<string, Set<(batch: StreamedBatch) => void>>();
  const stats = { notifications: 0, reads: 0, replayReads: 0 };
  // every event up to this global id has been handed out (or had nobody to hand it to)
  let handedOut = 0;

  const deliver = (events: JobEvent[]) => {
    const json = events.map((event) => JSON.stringify(event));
    const everyJob = listeners.get(ALL_JOBS);
    if (everyJob?.size) {
      const batch = streamedBatch(events, json, globalId);
      for (const listener of everyJob) listener(batch);
    }
    const byJob = new Map<string, number[]>();
    events.forEach((event, i) => {
      if (!listeners.get(event.jobId)?.size) return;
      if (!byJob.has(event.jobId)) byJob.set(event.jobId, []);
      byJob.get(event.jobId)!.push(i);
    });
    for (const [jobId, indexes] of byJob) {
      const batch = streamedBatch(indexes.map((i) => events[i]!), indexes.map((i) => json[i]!), jobSeq);
      for (const listener of listeners.get(jobId) ?? []) listener(batch);
    }
  };

  // what was heard and not yet handed out, in the order heard; a gap (undefined) asks for a read of the log
  const heard: (AppendedEvent | undefined)[] = [];
  let draining = false;

  // every event after `handedOut`, from the log
  const readLog = async () => {
    for (;;) {
      stats.reads += 1;
      const page = await log.sinceId(handedOut, READ_PAGE);
      if (page.length) {
        handedOut = Math.max(handedOut, page[page.length - 1]!.id);
        deliver(page);
      }
      if (page.length < READ_PAGE) return;
    }
  };

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (heard.length) {
        const batch: JobEvent[] = [];
        let gap = false;
        for (const appended of heard.splice(0)) {
          if (gap) continue; // the read that closes the gap reads these too
          if (appended && appended.id <= handedOut) continue; // read already
          // the next event of the log: it comes with its predecessor, and that one was handed out
          if (appended?.event && appended.prevId !== undefined && appended.prevId <= handedOut) {
            batch.push(appended.event);
            handedOut = appended.id;
          } else {
            gap = true;
          }
        }
        if (batch.length) deliver(batch);
        if (gap) await readLog();
      }
    } catch (error) {
      // nothing past what was handed out counts as sent: read from there before anything heard meanwhile
      onReadError(error as Error);
      heard.unshift(undefined);
      setTimeout(() => void drain(), 1000).unref();
    } finally {
      draining = false;
    }
  };

  const hear = (appended: AppendedEvent | undefined) => {
    heard.push(appended);
    // the notifications of one read of the socket are all heard before this runs: they go out together
    if (heard.length === 1) queueMicrotask(() => void drain());
  };

  handedOut = await log.lastId();
  const subscription = await log.listen((appended) => {
    stats.notifications += 1;
    // nobody to hand it to: later streams read what came before them themselves
    if (!listeners.size && !draining && !heard.length) handedOut = Math.max(handedOut, appended.id);
    else hear(appended);
  }, () => hear(undefined));

  return {
    /**
     * Calls back with each batch of the channel's new events (a job id, or ALL_JOBS). Subscribe before replaying
     * what came earlier: a batch may then overlap the replay, and positions tell which events were sent.
     */
    subscribe(channel: string, listener: (batch: StreamedBatch) => void): () => void {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => {
        const set = listeners.get(channel);
        set?.delete(listener);
        if (set?.size === 0) listeners.delete(channel);
      };
    },

    /** the channel's events after a position, from the log (a stream catching up from its Last-Event-ID) */
    async replay(channel: string, after: number): Promise<StreamedBatch> {
      stats.replayReads += 1;
      const events = channel === ALL_JOBS ? await log.sinceId(after, READ_PAGE) : await log.since(channel, after, READ_PAGE);
      return streamedBatch(events, events.map((event) => JSON.stringify(event)), channel === ALL_JOBS ? globalId : jobSeq);
    },

    /** the all-jobs position a stream that starts "from now" starts at: everything after it will be handed out */
    position: () => handedOut,

    /** reads of the log (live and replay) and notifications heard, for GET /api/events/stats */
    stats: () => ({ ...stats, streams: [...listeners.values()].reduce((sum, set) => sum + set.size, 0) }),

    close: () => subscription.unlisten(),
  };
}
