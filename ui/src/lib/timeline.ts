// A job's stage timeline, rebuilt from its events: started → each stage (with pauses) → how it ended.
import type { JobEvent } from './types.ts';
import { humanize, plural } from './format.ts';

export type TimelineStatus = 'done' | 'active' | 'paused' | 'failed' | 'cancelled';

export interface TimelineEntry {
  key: string;
  label: string;
  status: TimelineStatus;
  startedAt: string;
  endedAt?: string;
  detail?: string;
}

const ENDINGS: Record<string, { label: string; status: TimelineStatus }> = {
  'job.completed': { label: 'Completed', status: 'done' },
  'job.failed': { label: 'Failed', status: 'failed' },
  'job.cancelled': { label: 'Cancelled', status: 'cancelled' },
};

export function isJobEnding(type: string): boolean {
  return type in ENDINGS;
}

export function buildTimeline(events: readonly JobEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let stage: TimelineEntry | undefined;
  let pause: TimelineEntry | undefined;

  const finish = (entry: TimelineEntry | undefined, at: string, status: TimelineStatus) => {
    if (!entry || entry.endedAt) return;
    entry.endedAt = at;
    entry.status = status;
  };

  for (const event of events) {
    const data = event.data ?? {};
    if (event.type === 'job.started') {
      const parts = [typeof data.pool === 'string' ? `GPU pool ${data.pool}` : '', typeof data.count === 'number' ? plural(data.count, 'image') : ''];
      entries.push({ key: `started-${event.seq}`, label: 'Started', status: 'done', startedAt: event.time, endedAt: event.time, detail: parts.filter(Boolean).join(' · ') || undefined });
    } else if (event.type === 'stage' && typeof data.stage === 'string') {
      const paused = data.paused === true || data.status === 'PAUSED';
      if (stage?.key.startsWith(`stage-${data.stage}-`) && !stage.endedAt) {
        if (paused && !pause) {
          pause = { key: `pause-${event.seq}`, label: 'Paused', status: 'paused', startedAt: event.time };
          entries.push(pause);
          stage.status = 'paused';
        } else if (!paused && pause) {
          finish(pause, event.time, 'done');
          pause.label = 'Paused, then resumed';
          pause = undefined;
          stage.status = 'active';
        }
        continue;
      }
      finish(pause, event.time, 'done');
      pause = undefined;
      finish(stage, event.time, 'done');
      stage = { key: `stage-${data.stage}-${event.seq}`, label: humanize(data.stage), status: paused ? 'paused' : 'active', startedAt: event.time };
      entries.push(stage);
    } else if (isJobEnding(event.type)) {
      const ending = ENDINGS[event.type]!;
      const closing = ending.status === 'done' ? 'done' : ending.status;
      finish(pause, event.time, closing);
      finish(stage, event.time, closing);
      pause = stage = undefined;
      const kept = ending.status === 'done' ? '' : ' kept';
      const detail = typeof data.error === 'string' ? data.error : typeof data.assets === 'number' ? `${plural(data.assets, 'image')}${kept}` : undefined;
      entries.push({ key: `end-${event.seq}`, label: ending.label, status: ending.status, startedAt: event.time, endedAt: event.time, detail });
    }
  }
  return entries;
}
