// Follows one prompt through ComfyUI's WebSocket frames: every frame of other prompts is ignored.
import type { ComfyFrame } from '../core/comfy/client.ts';

export type PromptOutcome =
  | { outcome: 'success' }
  | { outcome: 'error'; nodeId: string; nodeType: string; message: string; exceptionType?: string }
  | { outcome: 'interrupted'; nodeId?: string };

export interface PromptProgress { node?: string; value?: number; max?: number; nodesDone: number; nodesTotal?: number; started: boolean }

export function promptTracker(promptId: string) {
  const progress: PromptProgress = { nodesDone: 0, started: false };
  let outcome: PromptOutcome | undefined;
  let ended = false;

  /** returns true when the frame changed what we know of this prompt */
  function apply(frame: ComfyFrame): boolean {
    const data = frame.data ?? {};
    // after a reconnect ComfyUI sends `executing` without prompt_id for whatever runs now: not proof it is ours
    if (data.prompt_id !== promptId) return false;
    switch (frame.type) {
      case 'execution_start':
        progress.started = true;
        return true;
      case 'executing':
        if (data.node === null) ended = true;
        else { progress.node = String(data.node); progress.value = undefined; progress.max = undefined; }
        return true;
      case 'progress':
        progress.node = String(data.node ?? progress.node);
        progress.value = Number(data.value);
        progress.max = Number(data.max);
        return true;
      case 'progress_state': {
        const nodes = Object.values<any>(data.nodes ?? {});
        progress.nodesDone = nodes.filter((n) => n.state === 'finished').length;
        return true;
      }
      case 'execution_success':
        outcome = { outcome: 'success' };
        ended = true;
        return true;
      case 'execution_error':
        outcome = { outcome: 'error', nodeId: String(data.node_id), nodeType: String(data.node_type), message: String(data.exception_message ?? 'unknown error').trim(), exceptionType: data.exception_type };
        ended = true;
        return true;
      case 'execution_interrupted':
        outcome = { outcome: 'interrupted', nodeId: data.node_id ? String(data.node_id) : undefined };
        ended = true;
        return true;
      default:
        return false;
    }
  }

  return { apply, progress, get outcome() { return outcome; }, get ended() { return ended; } };
}

/** What a finished history entry says about how the prompt ended. */
export function outcomeFromHistory(status: { status_str: string; messages: [string, Record<string, any>][] }): PromptOutcome {
  if (status.status_str === 'success') return { outcome: 'success' };
  const last = status.messages[status.messages.length - 1];
  if (last?.[0] === 'execution_interrupted') return { outcome: 'interrupted', nodeId: last[1].node_id };
  const error = status.messages.find(([type]) => type === 'execution_error')?.[1] ?? {};
  return { outcome: 'error', nodeId: String(error.node_id ?? '?'), nodeType: String(error.node_type ?? '?'), message: String(error.exception_message ?? 'ComfyUI reported an error').trim(), exceptionType: error.exception_type };
}
