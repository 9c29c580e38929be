// Faults a test or a demo asks for (not part of the OpenAI API): each applies to the next matching request(s).
export const FAULT_KINDS = ['malformed-json', 'refusal', 'rate-limit', 'server-error', 'slow', 'chatty', 'no-response-format', 'task'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRoute = 'chat' | 'images' | 'any';

export interface FaultSpec {
  kind: FaultKind;
  /** how many requests it applies to (default 1; 0 = until cleared) */
  times?: number;
  route?: FaultRoute;
  /** rate-limit: the Retry-After header, in seconds (default 1) */
  retryAfter?: number;
  /** slow: extra delay before answering (default 5000) */
  delayMs?: number;
  /** task: a flaw the task generator answering the request puts in its reply (e.g. `missing-exit`; see replies/) */
  task?: string;
}

interface ActiveFault extends Required<Omit<FaultSpec, 'times'>> { remaining: number | null }

export class Faults {
  private active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times === undefined ? 1 : Math.max(0, Math.floor(spec.times));
    this.active.push({ kind: spec.kind, route: spec.route ?? 'chat', retryAfter: spec.retryAfter ?? 1, delayMs: spec.delayMs ?? 5000, task: spec.task ?? '', remaining: times === 0 ? null : times });
  }

  /** The fault this request meets, if any (one fewer left). */
  take(route: Exclude<FaultRoute, 'any'>): ActiveFault | undefined {
    const fault = this.active.find((f) => f.route === route || f.route === 'any');
    if (!fault) return undefined;
    if (fault.remaining !== null) fault.remaining--;
    this.active = this.active.filter((f) => f.remaining !== 0);
    return fault;
  }

  clear(): void {
    this.active = [];
  }

  list() {
    return this.active.map((f) => ({ ...f }));
  }
}
