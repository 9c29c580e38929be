import { appendFileSync } from 'node:fs';
import type { ImageRef } from './nodes/spec.ts';

export type RunOutcome = 'success' | 'error' | 'interrupted';

export interface StandinStats {
  queued: number;
  queued_ids: string[];
  /** prompt ids in the order their execution started (a prompt run twice appears twice) */
  started: string[];
  executed: Record<string, { outcome: RunOutcome; runs: number; images: ImageRef[] }>;
  interrupted: Array<{ prompt_id: string | null; running: boolean }>;
  deleted: string[];
  images_written: number;
  forgotten: number;
}

/**
 * What happened, for tests and demos: counted in memory (since the stand-in started; a forget() does not reset it)
 * and appended to standin-events.jsonl, so a test can count across a SIGKILL of the process.
 */
export class EventLog {
  private readonly counts: StandinStats = {
    queued: 0, queued_ids: [], started: [], executed: {}, interrupted: [], deleted: [], images_written: 0, forgotten: 0,
  };

  constructor(private readonly file: string) {
    this.append({ event: 'standin_started', pid: process.pid });
  }

  queued(promptId: string, number: number, clientId: string | null): void {
    this.counts.queued++;
    this.counts.queued_ids.push(promptId);
    this.append({ event: 'queued', prompt_id: promptId, number, client_id: clientId });
  }

  started(promptId: string): void {
    this.counts.started.push(promptId);
    this.append({ event: 'started', prompt_id: promptId });
  }

  finished(promptId: string, outcome: RunOutcome, images: ImageRef[]): void {
    const runs = (this.counts.executed[promptId]?.runs ?? 0) + 1;
    this.counts.executed[promptId] = { outcome, runs, images };
    this.append({ event: 'executed', prompt_id: promptId, outcome, images });
  }

  interruptRequested(promptId: string | null, running: boolean): void {
    this.counts.interrupted.push({ prompt_id: promptId, running });
    this.append({ event: 'interrupt', prompt_id: promptId, running });
  }

  deleted(promptId: string): void {
    this.counts.deleted.push(promptId);
    this.append({ event: 'deleted', prompt_id: promptId });
  }

  imageWritten(promptId: string, ref: ImageRef): void {
    this.counts.images_written++;
    this.append({ event: 'image_written', prompt_id: promptId, ...ref });
  }

  forgotten(): void {
    this.counts.forgotten++;
    this.append({ event: 'forgotten' });
  }

  stats(): StandinStats {
    return structuredClone(this.counts);
  }

  private append(event: Record<string, unknown>): void {
    try {
      appendFileSync(this.file, JSON.stringify({ ts: Date.now(), ...event }) + '\n');
    } catch {
      // the log is an aid for tests; a full disk must not take the server down
    }
  }
}
