// The jobs page's list: its filters as a query string, live updates from the all-jobs event stream.
import type { Job, JobEvent, JobStatus } from './types.ts';
import { JOB_STATUSES, PIPELINES } from './types.ts';

export interface JobFilter { pipeline: string; status: string; stage: string; q: string }

export const EMPTY_FILTER: JobFilter = { pipeline: '', status: '', stage: '', q: '' };
export const PAGE_SIZES = [50, 100, 200] as const;
export const KNOWN_STAGES = ['queued', 'registered', 'generating', 'completed', 'failed', 'cancelled'];

export function filterFromSearch(search: string): JobFilter {
  const params = new URLSearchParams(search);
  const pick = (name: keyof JobFilter, allowed?: readonly string[]) => {
    const value = params.get(name)?.trim() ?? '';
    return allowed && !allowed.includes(value) ? '' : value;
  };
  return { pipeline: pick('pipeline', PIPELINES), status: pick('status', JOB_STATUSES), stage: pick('stage'), q: pick('q') };
}

export function pageSizeFromSearch(search: string): number {
  const size = Number(new URLSearchParams(search).get('limit'));
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : PAGE_SIZES[0];
}

export function filterSearch(filter: JobFilter, pageSize: number = PAGE_SIZES[0]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value.trim()) params.set(key, value.trim());
  if (pageSize !== PAGE_SIZES[0]) params.set('limit', String(pageSize));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function jobsUrl(filter: JobFilter, limit: number, cursor?: string | null): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value.trim()) params.set(key, value.trim());
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return `/api/jobs?${params}`;
}

export function isFiltered(filter: JobFilter): boolean {
  return Object.values(filter).some((v) => v.trim() !== '');
}

/** What an event says about its job's record, or null when it changes nothing the list shows. */
export function jobChange(event: JobEvent): Partial<Pick<Job, 'stage' | 'status' | 'error' | 'finishedAt'>> | null {
  const data = event.data ?? {};
  switch (event.type) {
    case 'stage':
      return typeof data.stage === 'string' ? { stage: data.stage, ...(isStatus(data.status) ? { status: data.status } : {}) } : null;
    case 'job.completed':
      return { status: 'COMPLETED', stage: 'completed', finishedAt: event.time };
    case 'job.failed':
      return { status: 'FAILED', stage: 'failed', finishedAt: event.time, error: typeof data.error === 'string' ? data.error : null };
    case 'job.cancelled':
      return { status: 'CANCELLED', stage: 'cancelled', finishedAt: event.time };
    default:
      return null;
  }
}

function isStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as string[]).includes(value);
}

/** New jobs from a fresh first page go on top; rows already shown take the fresher copy. */
export function mergeNewest(current: readonly Job[], firstPage: readonly Job[]): Job[] {
  const fresh = new Map(firstPage.map((job) => [job.id, job]));
  const known = new Set(current.map((job) => job.id));
  return [...firstPage.filter((job) => !known.has(job.id)), ...current.map((job) => fresh.get(job.id) ?? job)];
}

/** Another page after the cursor; a job already shown (it moved while paging) is not repeated. */
export function appendPage(current: readonly Job[], page: readonly Job[]): Job[] {
  const known = new Set(current.map((job) => job.id));
  return [...current, ...page.filter((job) => !known.has(job.id))];
}

export function imagesWanted(job: Pick<Job, 'inputSummary'>): number | undefined {
  const count = job.inputSummary?.count;
  return typeof count === 'number' && count > 0 ? count : undefined;
}
