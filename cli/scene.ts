// `atelier scene start|show|export`: the scene pipeline from a terminal.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CliError, type ApiClient } from './api-client.ts';
import { followEvents } from './sse.ts';
import { uploadFiles } from './uploads.ts';
import type { SceneState } from '../workflows/scene-state.ts';

export interface SceneFlags { 'review-plan'?: boolean; review?: string; backend?: string; instructions?: string; title?: string; project?: string; pool?: string; wait?: boolean; format?: string; output?: string; json?: boolean }

const FINAL = new Set(['job.completed', 'job.failed', 'job.cancelled']);

export function describeScene(id: string, state: SceneState | null, job: { status?: string; stage?: string; title?: string; error?: string | null } | null): string {
  const lines = [`${id}  ${state?.status ?? job?.status ?? '?'}  stage ${state?.stage ?? job?.stage ?? '?'}${state?.paused ? '  (paused)' : ''}`];
  if (job?.title) lines.push(`  ${job.title}`);
  if (state?.plan) lines.push(`  plan: ${state.plan.summary}`);
  for (const step of state?.steps ?? []) {
    lines.push(`  ${step.id.padEnd(16)} ${step.type.padEnd(9)} ${step.status}${step.kept ? ` (attempt ${step.kept} kept)` : ''}`);
    for (const a of step.history) {
      const failed = a.metrics.filter((m) => !m.pass).map((m) => `${m.name} ${m.value}${m.min !== undefined ? ` < ${m.min}` : ''}${m.max !== undefined ? ` > ${m.max}` : ''}`);
      lines.push(`    #${a.n} ${a.origin.padEnd(10)} ${a.passed ? 'passed' : a.error ? `error: ${a.error}` : `failed: ${failed.join(', ')}`}${a.decision ? `  → ${a.decision.decision} (${a.decision.source})` : ''}`);
      lines.push(`       prompt: ${a.prompt}`);
    }
  }
  for (const r of state?.awaitingReview ?? []) {
    lines.push(`  awaiting review: ${r.stepId} (${r.title}): ${r.reason}`);
    if (r.suggestedPrompt) lines.push(`    suggested prompt: ${r.suggestedPrompt}`);
    lines.push(`    decide with: atelier review ${id} ${r.stepId} ${r.decisions.join('|')}`);
  }
  if (state?.exports) lines.push(`  export: atelier scene export ${id} --format zip|ora -o <file>`);
  if (job?.error) lines.push(`  error: ${job.error}`);
  return lines.join('\n');
}

export async function sceneCommand(api: ApiClient, args: string[], flags: SceneFlags): Promise<number> {
  const [verb, target] = args;
  const print = (data: unknown, human: string) => process.stdout.write((flags.json ? JSON.stringify(data, null, 2) : human) + '\n');
  switch (verb) {
    case 'start': {
      if (!target) throw new CliError('scene start needs an image: atelier scene start photo.png [--review-plan] [--review all|failed] [--wait]', 2);
      if (flags.review && !['all', 'failed'].includes(flags.review)) throw new CliError(`--review must be all or failed; got "${flags.review}"`, 2);
      const [image] = await uploadFiles(api, [target]);
      const body = { image: image!.id, reviewPlan: flags['review-plan'] ?? false, review: flags.review, backend: flags.backend, instructions: flags.instructions, title: flags.title, project: flags.project, pool: flags.pool };
      const started = await api.post<{ id: string; links: { temporal: string | null } }>('/api/scenes', body);
      print(started, `started ${started.id}${started.links.temporal ? `\n  Temporal Web: ${started.links.temporal}` : ''}`);
      return flags.wait ? waitForScene(api, started.id) : 0;
    }
    case 'show': {
      if (!target) throw new CliError('scene show needs a job id: atelier scene show <id>', 2);
      const detail = await api.get<{ job: any; state: SceneState | null }>(`/api/jobs/${encodeURIComponent(target)}`);
      print(detail, describeScene(target, detail.state, detail.job));
      return 0;
    }
    case 'export': {
      if (!target) throw new CliError('scene export needs a job id: atelier scene export <id> --format zip|ora -o <file>', 2);
      const format = flags.format ?? 'zip';
      if (format !== 'zip' && format !== 'ora') throw new CliError(`--format must be zip or ora; got "${format}"`, 2);
      const response = await api.request(`/api/scenes/${encodeURIComponent(target)}/export?format=${format}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const file = flags.output ?? `${target}.${format}`;
      await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      await fs.writeFile(`${file}.part`, bytes);
      await fs.rename(`${file}.part`, file);
      print({ file, bytes: bytes.length }, `wrote ${file} (${bytes.length} bytes)`);
      return 0;
    }
    default:
      throw new CliError(`scene takes start, show or export: atelier scene start photo.png | atelier scene show <id> | atelier scene export <id> --format zip|ora -o <file>`, 2);
  }
}

/** Follows the job; each wait for a person is printed with the command that answers it. */
async function waitForScene(api: ApiClient, id: string): Promise<number> {
  let outcome = '';
  let error = '';
  await followEvents(api, id, (event) => {
    if (event.type === 'stage') process.stdout.write(`stage ${event.data.stage}\n`);
    if (event.type === 'review.awaiting') process.stdout.write(`waiting for you: ${event.data.step} (${event.data.title}): ${event.data.reason}\n  atelier scene show ${id}   then   atelier review ${id} ${event.data.step} ${(event.data.decisions as string[]).join('|')}\n`);
    if (event.type === 'review.decided') process.stdout.write(`decided: ${event.data.step} ${event.data.decision} (${event.data.source})\n`);
    if (FINAL.has(event.type)) {
      outcome = event.type;
      error = event.data.error ?? '';
      return false;
    }
  });
  if (outcome === 'job.completed') {
    process.stdout.write(`done: atelier scene export ${id} --format ora -o ${id}.ora\n`);
    return 0;
  }
  process.stderr.write(outcome === 'job.cancelled' ? `scene ${id} was cancelled\n` : `scene ${id} failed: ${error}\n`);
  return 1;
}
