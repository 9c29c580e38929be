import type { Json } from './json.ts';
import type { ImageRef } from './nodes/spec.ts';
import type { Graph } from './validate.ts';

/** [number, prompt_id, graph, extra_data, output node ids], as in GET /queue and history's "prompt". */
export type QueueItem = [number, string, Graph, Record<string, Json>, string[]];

export type StatusMessage = [string, Record<string, Json>];

export interface HistoryEntry {
  prompt: QueueItem;
  outputs: Record<string, { images: ImageRef[] }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: StatusMessage[] };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}

const MAX_HISTORY = 10000;

const before = (a: QueueItem, b: QueueItem) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** Pending prompts ordered by (number, prompt_id), the running one, and the finished ones. */
export class PromptQueue {
  private pending: QueueItem[] = [];
  private current: QueueItem | null = null;
  private readonly history = new Map<string, HistoryEntry>();
  private counter = 0;
  private waiter: (() => void) | null = null;

  /** Called on every change of the queue, as ComfyUI's queue_updated (a status frame to every socket). */
  constructor(private readonly changed: () => void) {}

  /** The `number` of a prompt queued without one: counts from 0, negated to jump the queue with `front`. */
  nextNumber(front: boolean): number {
    const n = this.counter++;
    return front ? -n : n;
  }

  get remaining(): number {
    return this.pending.length + (this.current ? 1 : 0);
  }

  get running(): QueueItem | null {
    return this.current;
  }

  put(item: QueueItem): void {
    const at = this.pending.findIndex((other) => before(item, other));
    this.pending.splice(at === -1 ? this.pending.length : at, 0, item);
    this.changed();
    this.waiter?.();
  }

  /** Resolves with the next prompt, which is then the running one. */
  async take(): Promise<QueueItem> {
    while (this.pending.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.waiter = null;
    const item = this.pending.shift()!;
    this.current = item;
    this.changed();
    return item;
  }

  finish(entry: HistoryEntry): void {
    if (this.history.size >= MAX_HISTORY) this.history.delete(this.history.keys().next().value!);
    this.history.set(entry.prompt[1], entry);
    this.current = null;
    this.changed();
  }

  /** Removes a pending prompt. Like ComfyUI, emptying the queue this way reports the change twice. */
  delete(promptId: string): boolean {
    const at = this.pending.findIndex((item) => item[1] === promptId);
    if (at === -1) return false;
    this.pending.splice(at, 1);
    if (this.pending.length === 0) this.changed();
    this.changed();
    return true;
  }

  clear(): string[] {
    const ids = this.pending.map((item) => item[1]);
    this.pending = [];
    this.changed();
    return ids;
  }

  snapshot(): { queue_running: QueueItem[]; queue_pending: QueueItem[] } {
    return { queue_running: this.current ? [this.current] : [], queue_pending: [...this.pending] };
  }

  entry(promptId: string): HistoryEntry | undefined {
    return this.history.get(promptId);
  }

  entries(maxItems?: number, offset = -1): Record<string, HistoryEntry> {
    const all = [...this.history.entries()];
    const start = offset < 0 && maxItems !== undefined ? all.length - maxItems : offset;
    const out: Record<string, HistoryEntry> = {};
    let count = 0;
    for (const [i, [id, entry]] of all.entries()) {
      if (i < start) continue;
      if (maxItems !== undefined && count >= maxItems) break;
      out[id] = entry;
      count++;
    }
    return out;
  }

  deleteHistory(ids: string[] | 'all'): void {
    if (ids === 'all') this.history.clear();
    else for (const id of ids) this.history.delete(id);
  }

  /** Everything a kill -9 loses. */
  reset(): void {
    this.pending = [];
    this.current = null;
    this.history.clear();
    this.counter = 0;
  }
}
