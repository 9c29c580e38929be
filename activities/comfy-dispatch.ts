// Each prompt rendered once across the hosts of a pool: where a prompt was sent is recorded before it is sent, and
// a retry (on whichever host picks it up) first asks that ComfyUI, through its recorded URL, for the prompt: finished
// there → collect it from there; running or waiting there → follow it there; that ComfyUI gone → render it here.
import { comfyClient, ComfyUnreachableError, type ComfyClient } from '../core/comfy/client.ts';
import type { PromptDispatches } from '../db/prompt-dispatches.ts';

export type Whereabouts =
  /** nothing sent elsewhere: this host's ComfyUI is where to look (and to send) */
  | { at: 'here' }
  /** at another host's ComfyUI, finished or queued there: collected or followed there */
  | { at: 'elsewhere'; host: string; client: ComfyClient; found: 'finished' | 'queued' }
  /** sent to another host whose ComfyUI is gone or no longer has it: rendered again here */
  | { at: 'gone'; host: string; why: string };

/** how long a ComfyUI of another host may take to answer before it counts as gone */
export const PROBE_TIMEOUT_MS = 3000;

export async function locateAt(client: ComfyClient, promptId: string): Promise<'finished' | 'queued' | 'absent'> {
  if (await client.history(promptId)) return 'finished';
  const queue = await client.queue();
  return queue.running.includes(promptId) || queue.pending.includes(promptId) ? 'queued' : 'absent';
}

export async function whereabouts(dispatches: PromptDispatches, promptId: string, self: { comfyUrl: string }): Promise<Whereabouts> {
  const sent = await dispatches.get(promptId);
  if (!sent || sent.comfyUrl === self.comfyUrl) return { at: 'here' };
  const client = comfyClient(sent.comfyUrl, { timeoutMs: PROBE_TIMEOUT_MS });
  try {
    const found = await locateAt(client, promptId);
    if (found === 'absent') return { at: 'gone', host: sent.host, why: `its ComfyUI (${sent.comfyUrl}) no longer has the prompt` };
    return { at: 'elsewhere', host: sent.host, client, found };
  } catch (error) {
    if (!(error instanceof ComfyUnreachableError)) throw error;
    return { at: 'gone', host: sent.host, why: `its ComfyUI (${sent.comfyUrl}) does not answer` };
  }
}

/** "image-7" → "image 7": the words a person reads in the job's events */
export const stepWords = (step: string) => step.replace(/^image-(\d+)$/, 'image $1');
