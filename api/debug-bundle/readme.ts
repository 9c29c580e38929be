// README.txt of a debug bundle: what the job is, its first error, and what each file holds.
import type { JobRow } from '../../db/schema.ts';
import type { JobEvent } from '../../db/events.ts';
import type { PipelineState } from '../../workflows/messages.ts';
import type { ZipEntry } from '../../core/zip.ts';
import type { ServiceLog } from './logs.ts';

const ABOUT: Record<string, string> = {
  'job.json': "the job's record in Atelier's database, the workflow's input as Temporal received it, and its live state",
  'events.jsonl': "the job's event log, one JSON object a line (as GET /api/jobs/<id>/events.jsonl)",
  'workflow-history.json': 'the workflow history from Temporal, as `temporal workflow show --output json` prints it',
  'workflow-history.txt': 'why the workflow history is missing',
  'environment.json': 'versions of Atelier, Node.js, the Temporal server and PostgreSQL, each GPU pool\'s ComfyUI /system_stats, and the settings that shape a job',
  'assets.json': "the job's files: kind, path in DATA_DIR, size, dimensions, sha256 (not the images)",
};

function firstError(job: JobRow | undefined, state: PipelineState | null, events: JobEvent[]): string {
  const event = events.find((e) => e.level === 'error');
  const fromEvent = event && (typeof event.data.error === 'string' ? event.data.error : typeof event.data.message === 'string' ? event.data.message : undefined);
  if (event && fromEvent) return `${fromEvent}\n  (event ${event.seq}, ${event.type}, ${event.time})`;
  return job?.error ?? state?.error ?? state?.steps.find((s) => s.error)?.error ?? 'none recorded';
}

export function bundleReadme(parts: {
  jobId: string; job: JobRow | undefined; state: PipelineState | null; events: JobEvent[]; entries: ZipEntry[];
  historyProblem?: string; environment: { atelier: { version: string; commit: string | null } }; logs: ServiceLog[];
}): string {
  const { jobId, job, state, events, entries, environment } = parts;
  const lines = [
    `Atelier debug bundle for job ${jobId}`,
    `Made ${new Date().toISOString()} by Atelier ${environment.atelier.version}${environment.atelier.commit ? ` (${environment.atelier.commit.slice(0, 12)})` : ''}.`,
    '',
    `Pipeline: ${job?.pipeline ?? state?.pipeline ?? 'unknown'}`,
    `Title:    ${job?.title ?? '(no record in the database)'}`,
    `Status:   ${state?.status ?? job?.status ?? 'unknown'}, stage ${state?.stage ?? job?.stage ?? 'unknown'}`,
    `Started:  ${job?.createdAt.toISOString() ?? 'unknown'}${job?.finishedAt ? `, ended ${job.finishedAt.toISOString()}` : ''}`,
    '',
    'First error:',
    `  ${firstError(job, state, events)}`,
    '',
    'Inside:',
    ...['README.txt', ...entries.map((e) => e.name)].map((name) => {
      const about = name === 'README.txt' ? 'this file' : name.startsWith('logs/') ? `lines of the ${name.slice(5, -4)} log that carry the job's id or its correlation id` : ABOUT[name] ?? '';
      return `  ${name.padEnd(26)} ${about}`;
    }),
    ...(parts.logs.every((l) => !l.lines.length) ? ['  (no log line names this job: the logs live in DATA_DIR/logs of the machine that ran it)'] : []),
    ...(parts.historyProblem ? ['', `No workflow history: ${parts.historyProblem}.`] : []),
    '',
    'Secrets are left out: the API token, keys, passwords and tokens that Atelier knows of, and text that looks like',
    'one (sk-… and hf_… keys, Bearer headers, the values of token= and password= settings, passwords in URLs), read',
    "[redacted] wherever they appeared, inside the workflow history's payloads too. Images are not included;",
    'assets.json lists them.',
  ];
  return lines.join('\n') + '\n';
}
