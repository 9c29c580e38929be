// The debug bundle of one job, for any pipeline: everything a person (or a maintainer they send it to) needs to
// see what happened, in one ZIP, with every secret this process knows of redacted from every part.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from '../context.ts';
import type { ZipEntry } from '../../core/zip.ts';
import { historyAsJson, payloadValue, redactHistory, type JsonPayload } from '../../core/temporal-history.ts';
import { redactor, secretsOf } from '../../core/redact.ts';
import { liveState } from '../routes/jobs.ts';
import { jobLogLines } from './logs.ts';
import { environmentSummary } from './environment.ts';
import { bundleReadme } from './readme.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

async function workflowHistory(ctx: ApiContext, jobId: string) {
  try {
    return { history: historyAsJson(await ctx.temporal.workflow.getHandle(jobId).fetchHistory()) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { problem: `Temporal has no workflow "${jobId}" (its history may have passed the namespace's retention period)` };
    return { problem: `the history could not be read from Temporal: ${(error as Error).message}` };
  }
}

/** The bundle's entries, or undefined when neither the database nor Temporal knows the job. */
export async function debugBundle(ctx: ApiContext, jobId: string): Promise<ZipEntry[] | undefined> {
  const [job, events, assets, { history, problem }, state] = await Promise.all([
    ctx.jobs.get(jobId), ctx.events.since(jobId, 0, 1_000_000), ctx.assets.forJob(jobId), workflowHistory(ctx, jobId), liveState(ctx, jobId),
  ]);
  if (!job && !history) return undefined;
  const started = history?.events[0]?.workflowExecutionStartedEventAttributes as { input?: { payloads?: JsonPayload[] }; memo?: { fields?: Record<string, JsonPayload> } } | undefined;
  const input = started?.input?.payloads?.map(payloadValue) ?? null;
  const correlationId = job?.correlationId ?? (payloadValue(started?.memo?.fields?.correlationId) as string | undefined) ?? null;
  const [logs, environment] = await Promise.all([jobLogLines(ctx.config.dataDir, [jobId, correlationId ?? '']), environmentSummary(ctx)]);

  const redact = redactor([
    ...secretsOf(process.env), ctx.token, ctx.config.api.token, ctx.config.llm.apiKey,
    ...[ctx.config.databaseUrl, ctx.config.llm.baseUrl, ...Object.values(ctx.config.gpuPools)].flatMap((url) => secretsOf({ url })),
  ]);
  const entries: ZipEntry[] = [
    { name: 'job.json', data: json({ record: job ?? null, input, state, correlationId }) },
    { name: 'events.jsonl', data: events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '') },
    history
      ? { name: 'workflow-history.json', data: JSON.stringify(redactHistory(history, redact), null, 2) + '\n' }
      : { name: 'workflow-history.txt', data: `${problem}\n` },
    ...logs.filter((l) => l.lines.length).map((l) => ({ name: `logs/${l.service}.log`, data: l.lines.join('\n') + '\n' + (l.truncated ? '… (more lines left out)\n' : '') })),
    { name: 'environment.json', data: json(environment) },
    { name: 'assets.json', data: json(assets) },
  ];
  const readme = bundleReadme({ jobId, job, state, events, entries, historyProblem: problem, environment, logs });
  return [{ name: 'README.txt', data: readme }, ...entries].map((entry) => ({ ...entry, data: redact(String(entry.data)) }));
}
