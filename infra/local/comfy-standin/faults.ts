export interface FailClassFault {
  /** the node class that raises when it starts, e.g. "KSampler" */
  failClass: string;
  /** default "CUDA out of memory" */
  message?: string;
  /** Python exception type; default torch.OutOfMemoryError for an out-of-memory message, else RuntimeError */
  exceptionType?: string;
  /** how many runs of the class fail; default: until cleared */
  times?: number;
}

interface ActiveFault {
  className: string;
  message: string;
  exceptionType: string;
  remaining: number | null;
}

/** Node classes told to fail (a control for tests and demos, not part of ComfyUI). */
export class Faults {
  private active: ActiveFault[] = [];

  failClass(spec: FailClassFault): void {
    const message = spec.message ?? 'CUDA out of memory';
    const exceptionType = spec.exceptionType ?? (/out of memory/i.test(message) ? 'torch.OutOfMemoryError' : 'RuntimeError');
    const times = spec.times === undefined ? null : Math.max(0, Math.floor(spec.times));
    this.active = this.active.filter((f) => f.className !== spec.failClass);
    this.active.push({ className: spec.failClass, message, exceptionType, remaining: times });
  }

  /** The failure a node of this class must raise now, if any (and one fewer left). */
  take(className: string): { message: string; exceptionType: string } | undefined {
    const fault = this.active.find((f) => f.className === className && f.remaining !== 0);
    if (!fault) return undefined;
    if (fault.remaining !== null) fault.remaining--;
    this.active = this.active.filter((f) => f.remaining !== 0);
    return { message: fault.message, exceptionType: fault.exceptionType };
  }

  clear(): void {
    this.active = [];
  }

  list(): Array<{ failClass: string; message: string; exceptionType: string; remaining: number | null }> {
    return this.active.map((f) => ({ failClass: f.className, message: f.message, exceptionType: f.exceptionType, remaining: f.remaining }));
  }
}
