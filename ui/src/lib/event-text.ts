// One line per event for the log: known types in words, anything newer as its type plus its data.
import type { EventLevel, JobEvent } from './types.ts';
import { humanize, plural } from './format.ts';

export const LEVELS: readonly EventLevel[] = ['debug', 'info', 'warn', 'error'];

export function atLeast(level: EventLevel, minimum: EventLevel): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(minimum);
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

export function describeEvent(event: Pick<JobEvent, 'type' | 'data'>): string {
  const d = event.data ?? {};
  const step = d.step ? `${humanize(text(d.step))}: ` : '';
  switch (event.type) {
    case 'job.started': return `Started ${text(d.title) ? `“${text(d.title)}” ` : ''}on GPU pool ${text(d.pool) || '?'}${typeof d.count === 'number' ? ` (${plural(d.count, 'image')})` : ''}`;
    case 'stage': return `Stage ${text(d.stage)}${d.status ? ` (${text(d.status).toLowerCase()})` : ''}`;
    case 'comfy.queued': return `${step}queued at ComfyUI as #${text(d.number)} (${text(d.reason)})`;
    case 'comfy.resumed': return `${step}picked up prompt again, found ${text(d.found)}`;
    case 'progress': return `${step}sampling ${text(d.value)}/${text(d.max)} at node ${text(d.node)}`;
    case 'comfy.notice': return `${step}${text(d.message)}`;
    case 'asset.created': return `${step}image saved (${text(d.width)} × ${text(d.height)})`;
    case 'comfy.cancelled': return `${step}stopped at ComfyUI (${text(d.how)})`;
    case 'pool.paused': return `${step}waiting: GPU pool ${text(d.pool)} paused by ${text(d.by) || 'an operator'}${d.reason ? ` (${text(d.reason)})` : ''}`;
    case 'pool.resumed': return `${step}GPU pool ${text(d.pool)} resumed`;
    case 'comfy.held': return `${step}taken out of ComfyUI's queue while pool ${text(d.pool)} is paused; queued again when it resumes`;
    case 'job.completed': return `Completed${typeof d.assets === 'number' ? ` with ${d.assets} images` : ''}`;
    case 'job.failed': return `Failed: ${text(d.error) || 'no reason given'}`;
    case 'job.cancelled': return d.terminated ? `Terminated in Temporal by ${text(d.by) || 'someone'}: ${text(d.reason) || 'no reason given'}` : 'Cancelled';
    default: {
      const json = JSON.stringify(d);
      return json && json !== '{}' ? `${event.type} ${json.length > 240 ? `${json.slice(0, 240)}…` : json}` : event.type;
    }
  }
}
