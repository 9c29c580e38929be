// A window of GPU prompts: work is queued from anywhere in a workflow and started in order while fewer than
// `size()` are in flight and the job is not paused, so ComfyUI always has the next prompt waiting.
import { condition } from '@temporalio/workflow';

interface Queued { run: () => Promise<unknown>; resolve: (value: any) => void; reject: (error: unknown) => void }

export function promptWindow(options: { size: () => number; paused: () => boolean }) {
  const queue: Queued[] = [];
  const inFlight = new Set<Promise<void>>();
  let settled = 0;
  let closed = false;

  const dispatching = (async () => {
    for (;;) {
      await condition(() => closed || (queue.length > 0 && !options.paused() && inFlight.size < options.size()));
      if (closed) return;
      const item = queue.shift()!;
      const running: Promise<void> = item.run().then(item.resolve, item.reject).finally(() => { inFlight.delete(running); settled += 1; });
      inFlight.add(running);
    }
  })().catch((error) => {
    // the job was cancelled while work waited its turn: that work ends the same way
    for (const item of queue.splice(0)) item.reject(error);
  });

  return {
    /** resolves with what `run` gives once it ran in the window */
    submit<T>(run: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => queue.push({ run, resolve, reject }));
    },
    /** what is at the GPU now (a cancelled job waits for each to leave ComfyUI) */
    inFlight,
    /** work is waiting its turn */
    waiting: () => queue.length > 0,
    /** how much work has left the window, done or failed */
    settled: () => settled,
    close(): Promise<void> {
      closed = true;
      return dispatching;
    },
  };
}
