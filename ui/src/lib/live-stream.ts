// An SSE subscription that survives dropped connections without losing or repeating events.
// The browser's EventSource retries by itself (sending Last-Event-ID); when it gives up (readyState CLOSED,
// e.g. the API was down for a while) we open a new one from `?after=<last id seen>`. Events at or before
// the last id seen are dropped, so a replay that overlaps what we already have is harmless.

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

const CLOSED = 2;

export interface LiveStreamOptions<T> {
  url: string;
  /** the number the server puts in `id:` (a job's seq, or the global event id) */
  cursorOf: (event: T) => number;
  /** replay everything after this cursor; undefined = only what happens from now on */
  after?: number;
  onEvent: (event: T) => void;
  onState?: (state: StreamState) => void;
  open?: (url: string) => EventSourceLike;
  /** waits before each manual reconnect; the last one repeats */
  retryDelaysMs?: readonly number[];
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface LiveStream {
  close(): void;
  readonly cursor: number | undefined;
  readonly state: StreamState;
}

export const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000] as const;

export function withAfter(url: string, after: number | undefined): string {
  if (after === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}after=${after}`;
}

export function openLiveStream<T>(options: LiveStreamOptions<T>): LiveStream {
  const open = options.open ?? ((url: string) => new EventSource(url));
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let cursor = options.after;
  let state: StreamState = 'connecting';
  let source: EventSourceLike | undefined;
  let timer: unknown;
  let failures = 0;

  const setState = (next: StreamState) => {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  };

  const connect = () => {
    timer = undefined;
    const current = open(withAfter(options.url, cursor));
    source = current;
    current.onopen = () => {
      failures = 0;
      setState('live');
    };
    current.onmessage = (message) => {
      let event: T;
      try {
        event = JSON.parse(String(message.data)) as T;
      } catch {
        return;
      }
      const at = options.cursorOf(event);
      if (cursor !== undefined && at <= cursor) return;
      cursor = at;
      options.onEvent(event);
    };
    current.onerror = () => {
      if (state === 'closed') return;
      setState('reconnecting');
      if (current.readyState !== CLOSED) return;
      current.close();
      timer = setTimer(connect, delays[Math.min(failures, delays.length - 1)]!);
      failures += 1;
    };
  };

  options.onState?.(state);
  connect();

  return {
    close() {
      if (state === 'closed') return;
      setState('closed');
      if (timer !== undefined) clearTimer(timer);
      source?.close();
    },
    get cursor() { return cursor; },
    get state() { return state; },
  };
}
