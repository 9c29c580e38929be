// `atelier`: start and follow Atelier jobs from a terminal.
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { placeAtomically } from '../core/store.ts';
import { apiClient, apiTarget, CliError, type ApiClient } from './api-client.ts';
import { followEvents, type StreamedEvent } from './sse.ts';
import { templateParams } from './params.ts';
import { uploadFiles } from './uploads.ts';
import { loraCommand, LORA_USAGE } from './lora.ts';
import { spritesCommand, SPRITES_USAGE } from './sprites.ts';
import { sceneCommand } from './scene.ts';
import { campaignCommand, CAMPAIGN_USAGE } from './campaign.ts';
import { DECISION_NAMES, needsOf } from '../workflows/review-decisions.ts';
import { poolsCommand, POOLS_USAGE } from './pools.ts';
import { describePoolWait } from '../workflows/messages.ts';

const USAGE = `atelier — drive Atelier's pipelines from a terminal

  atelier generate "<prompt>" [--pool P] [--count N] [--size WxH] [--seed N] [--steps N]
                              [--negative TEXT] [--template ID] [--lora FILE] [--project NAME]
                              [--param NAME=VALUE]… [--wait]
      --param sets any parameter the template declares (atelier templates lists them);
      --param upscale turns a toggle on
  atelier debug-bundle <id> [-o FILE]   a ZIP of the job's record, events, workflow history, logs and
                                        environment, secrets redacted (default atelier-debug-<id>.zip)
  atelier jobs [--pipeline P] [--status S] [--limit N]
  atelier job <id>
  atelier pause|resume|cancel <id>
  atelier events <id> [--follow]
  atelier upload <image...>                        store images; prints their asset ids
  atelier scene start <image> [--review-plan] [--review all|failed] [--backend openai|comfyui]
                              [--instructions TEXT] [--title T] [--project P] [--wait]
  atelier scene show <id>                          steps, attempts, metrics, what awaits review
  atelier scene export <id> --format zip|ora -o <file>
  atelier review <id> <step> <decision> [--prompt TEXT] [--note TEXT] [--assets ID,ID]
  atelier review <id> <step> mask <mask.png>       decisions: ${DECISION_NAMES.join(', ')}
${SPRITES_USAGE}
  atelier templates
  atelier health
${POOLS_USAGE}
${CAMPAIGN_USAGE}
${LORA_USAGE}

  --json prints the API's JSON. The API is ATELIER_URL (default http://127.0.0.1:8420); the token is
  ATELIER_TOKEN, or DATA_DIR/api-token (default .data/api-token) written by npm start.`;

const FINAL = new Set(['job.completed', 'job.failed', 'job.cancelled']);

function int(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}; got "${value}"`, 2);
  return n;
}

function size(value: string | undefined): { width?: number; height?: number } {
  if (value === undefined) return {};
  const match = /^(\d+)x(\d+)$/i.exec(value);
  if (!match) throw new CliError(`--size must look like 1024x768 (width x height in pixels); got "${value}"`, 2);
  return { width: Number(match[1]), height: Number(match[2]) };
}

function imagePath(api: ApiClient, asset: { relativePath: string; id: string }): string {
  const local = path.join(api.target.dataDir, asset.relativePath);
  return fs.existsSync(local) ? local : `${api.target.url}/api/assets/${asset.id}`;
}

function progressLine(state: { done: number; total: number; step?: string; value?: number; max?: number; started: number }): string {
  const bar = state.max ? '█'.repeat(Math.round((20 * (state.value ?? 0)) / state.max)).padEnd(20, '░') : ''.padEnd(20, '░');
  const elapsed = Math.round((Date.now() - state.started) / 1000);
  return `\r${state.done}/${state.total} images  ${state.step ?? ''} ${bar} ${state.max ? `${state.value}/${state.max} steps` : ''}  ${elapsed}s   `;
}

async function waitForJob(api: ApiClient, id: string, total: number): Promise<number> {
  const tty = process.stdout.isTTY;
  const state = { done: 0, total, started: Date.now() } as Parameters<typeof progressLine>[0];
  let outcome = 'job.completed';
  let error = '';
  await followEvents(api, id, (event: StreamedEvent) => {
    if (event.type === 'progress') Object.assign(state, { step: event.data.step, value: event.data.value, max: event.data.max });
    if (event.type === 'asset.created') state.done += 1;
    if (event.type === 'job.started') state.total = event.data.count ?? state.total;
    if (!tty && ['comfy.queued', 'asset.created', 'stage'].includes(event.type)) process.stdout.write(`${event.type} ${JSON.stringify(event.data)}\n`);
    if (tty) process.stdout.write(progressLine(state));
    if (FINAL.has(event.type)) {
      outcome = event.type;
      error = event.data.error ?? '';
      return false;
    }
  });
  if (tty) process.stdout.write('\n');
  const job = await api.get<{ assets: { id: string; relativePath: string; width: number; height: number }[] }>(`/api/jobs/${id}`);
  if (outcome === 'job.completed') {
    for (const asset of job.assets) process.stdout.write(`${imagePath(api, asset)}  (${asset.width}×${asset.height})\n`);
    return 0;
  }
  process.stderr.write(outcome === 'job.cancelled' ? `job ${id} was cancelled\n` : `job ${id} failed: ${error}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'sprites') return spritesCommand(() => apiClient(apiTarget()), argv.slice(1));
  if (argv[0] === 'campaign') return campaignCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      pool: { type: 'string' }, count: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' }, steps: { type: 'string' },
      negative: { type: 'string' }, template: { type: 'string' }, lora: { type: 'string' }, project: { type: 'string' },
      wait: { type: 'boolean' }, follow: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      pipeline: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' },
      param: { type: 'string', multiple: true },
      prompt: { type: 'string' }, note: { type: 'string' }, assets: { type: 'string' },
      trigger: { type: 'string' }, description: { type: 'string' }, caption: { type: 'string' }, preset: { type: 'string' },
      'review-plan': { type: 'boolean' }, review: { type: 'string' }, backend: { type: 'string' }, instructions: { type: 'string' },
      title: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' },
      reason: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) { process.stdout.write(USAGE + '\n'); return command || values.help ? 0 : 2; }
  const api = apiClient(apiTarget());
  const out = (data: unknown, human: () => string) => process.stdout.write((values.json ? JSON.stringify(data, null, 2) : human()) + '\n');
  const needId = () => {
    if (!rest[0]) throw new CliError(`${command} needs a job id: atelier ${command} <id> (atelier jobs lists them)`, 2);
    return encodeURIComponent(rest[0]);
  };

  switch (command) {
    case 'generate': {
      const prompt = rest.join(' ').trim();
      if (!prompt) throw new CliError('generate needs a prompt: atelier generate "a lighthouse at dusk"', 2);
      const body = {
        prompt, ...size(values.size), count: int('count', values.count, 1, 500), seed: int('seed', values.seed, 0, 2 ** 32 - 1), steps: int('steps', values.steps, 1, 150),
        negativePrompt: values.negative, pool: values.pool, template: values.template, lora: values.lora, project: values.project,
        params: await templateParams(api, values.template, values.param ?? []),
      };
      const started = await api.post<{ id: string; links: { temporal: string | null } }>('/api/generate', body);
      out(started, () => `started ${started.id}${started.links.temporal ? `\n  Temporal Web: ${started.links.temporal}` : ''}`);
      return values.wait ? waitForJob(api, started.id, body.count ?? 1) : 0;
    }
    case 'jobs': {
      const query = new URLSearchParams(Object.entries({ pipeline: values.pipeline, status: values.status, limit: values.limit }).filter(([, v]) => v) as [string, string][]);
      const page = await api.get<{ jobs: { id: string; pipeline: string; status: string; stage: string; title: string; createdAt: string }[] }>(`/api/jobs?${query}`);
      out(page, () => page.jobs.length ? page.jobs.map((j) => `${j.id}  ${j.status.padEnd(9)} ${j.stage.padEnd(11)} ${j.createdAt.slice(0, 19)}  ${j.title}`).join('\n') : 'no jobs yet: atelier generate "a lighthouse at dusk"');
      return 0;
    }
    case 'job': {
      const job = await api.get<{ job: any; state: any; assets: any[]; links: any }>(`/api/jobs/${needId()}`);
      out(job, () => [
        `${job.job?.id ?? rest[0]}  ${job.state?.status ?? job.job?.status}  stage ${job.state?.stage ?? job.job?.stage}${job.state?.paused ? '  (paused)' : ''}`,
        job.job?.title ? `  ${job.job.title}` : '',
        job.state?.poolWait ? `  ${describePoolWait(job.state.poolWait)}` : '',
        ...(job.state?.steps ?? []).map((s: any) => `  ${s.id.padEnd(10)} ${s.status}${s.error ? `: ${s.error}` : ''}`),
        ...(job.state?.awaitingReview ?? []).map((r: any) => `  awaiting review: ${r.stepId} (${r.title}): ${r.reason}\n    decide with: atelier review ${rest[0]} ${r.stepId} ${r.decisions.join('|')}`),
        ...(job.job?.error ? [`  error: ${job.job.error}`] : []),
        ...job.assets.map((a) => `  ${imagePath(api, a)}`),
        job.links.temporal ? `  Temporal Web: ${job.links.temporal}` : '',
      ].filter(Boolean).join('\n'));
      return 0;
    }
    case 'pause': case 'resume': case 'cancel': {
      const result = await api.post(`/api/jobs/${needId()}/${command}`);
      out(result, () => `${command} requested for ${rest[0]}`);
      return 0;
    }
    case 'events': {
      const id = needId();
      if (!values.follow) {
        const text = await (await api.request(`/api/jobs/${id}/events.jsonl`)).text();
        process.stdout.write(values.json ? text : text.split('\n').filter(Boolean).map((l) => { const e = JSON.parse(l); return `${e.seq} ${e.time} ${e.level.padEnd(5)} ${e.type} ${JSON.stringify(e.data)}`; }).join('\n') + '\n');
        return 0;
      }
      await followEvents(api, decodeURIComponent(id), (e) => {
        process.stdout.write(values.json ? JSON.stringify(e) + '\n' : `${e.seq} ${e.time} ${e.level.padEnd(5)} ${e.type} ${JSON.stringify(e.data)}\n`);
        return FINAL.has(e.type) ? false : undefined;
      });
      return 0;
    }
    case 'scene':
      return sceneCommand(api, rest, values);
    case 'upload': {
      const uploads = await uploadFiles(api, rest);
      out({ uploads }, () => uploads.map((u) => `${u.id}  ${u.width}×${u.height}  ${u.name}${u.duplicate ? '  (already stored)' : ''}`).join('\n'));
      return 0;
    }
    case 'review': {
      const [jobId, stepId, decision, file] = rest;
      if (!jobId || !stepId || !decision) throw new CliError('review needs a job, a step and a decision: atelier review <id> <step> approve (atelier job <id> shows the steps awaiting review)', 2);
      if (!(DECISION_NAMES as string[]).includes(decision)) throw new CliError(`"${decision}" is not a decision: use one of ${DECISION_NAMES.join(', ')}`, 2);
      const needs = needsOf(decision);
      if (needs === 'prompt' && !values.prompt) throw new CliError(`${decision} needs --prompt "the new prompt"`, 2);
      if (needs === 'mask' && !file) throw new CliError(`${decision} needs a mask image: atelier review ${jobId} ${stepId} mask mask.png (white = where to work)`, 2);
      // a mask is checked against the image it is drawn on (its size) at upload
      const waiting = needs === 'mask' ? (await api.get<{ state: { awaitingReview?: { stepId: string; maskFor?: { assetId: string } }[] } | null }>(`/api/jobs/${encodeURIComponent(jobId)}`)).state?.awaitingReview?.find((r) => r.stepId === stepId) : undefined;
      const maskAssetId = needs === 'mask' ? (await uploadFiles(api, [file!], waiting?.maskFor ? { maskFor: waiting.maskFor.assetId } : {}))[0]!.id : undefined;
      const body = { stepId, decision, decisionId: `cli-${crypto.randomUUID()}`, source: 'cli', prompt: values.prompt, note: values.note, maskAssetId, assetIds: values.assets?.split(',').map((a) => a.trim()).filter(Boolean) };
      const result = await api.post<{ state: { stage: string; awaitingReview: { stepId: string; title: string; decisions: string[] }[] } }>(`/api/jobs/${encodeURIComponent(jobId)}/review`, body);
      out(result, () => [`${decision} sent for ${stepId} of ${jobId}`, ...result.state.awaitingReview.map((r) => `  still awaiting review: ${r.stepId} (${r.title}): ${r.decisions.join(' | ')}`)].join('\n'));
      return 0;
    }
    case 'templates': {
      const body = await api.get<{ templates: { id: string; title: string; source: string; parameters: { name: string }[] }[]; errors: { file: string; error: string }[] }>('/api/templates');
      out(body, () => [...body.templates.map((t) => `${t.id.padEnd(16)} ${t.source.padEnd(8)} ${t.title}  (${t.parameters.map((p) => p.name).join(', ')})`), ...body.errors.map((e) => `refused ${e.file}: ${e.error}`)].join('\n'));
      return 0;
    }
    case 'debug-bundle': {
      const id = needId();
      const file = path.resolve(values.output ?? `atelier-debug-${decodeURIComponent(id)}.zip`);
      const bytes = Buffer.from(await (await api.request(`/api/jobs/${id}/debug-bundle`)).arrayBuffer());
      // whole or not at all: a bundle cut short by a dropped connection never lands under its name
      await placeAtomically(file, (temp) => fs.promises.writeFile(temp, bytes))
        .catch((error: Error) => { throw new CliError(`cannot write ${file}: ${error.message}`); });
      out({ file, bytes: bytes.length }, () => `wrote ${file} (${Math.ceil(bytes.length / 1024)} KiB)`);
      return 0;
    }
    case 'health': {
      const response = await fetch(`${api.target.url}/api/health`).catch(() => { throw new CliError(`cannot reach the Atelier API at ${api.target.url}: is \`npm start\` running?`); });
      const body = await response.json() as any;
      out(body, () => [
        `status     ${body.status}`,
        `temporal   ${body.temporal.ok ? 'ok' : 'DOWN'} ${body.temporal.address}${body.temporal.embedded ? ' (embedded dev server)' : ''}${body.temporal.webUrl ? `  web ${body.temporal.webUrl}` : ''}`,
        `database   ${body.database.ok ? 'ok' : 'DOWN'} ${body.database.version ?? ''}${body.database.embedded ? ' (embedded)' : ''}`,
        `main       ${body.workers.main.filter((w: any) => w.polling).length || 'NO'} worker(s) polling the task queue atelier`,
        ...body.pools.map((p: any) => `pool ${p.name.padEnd(6)} ComfyUI ${p.comfyui.ok ? 'ok' : 'DOWN'} ${p.comfyui.url}${p.comfyui.demo ? ' (demo)' : ''}, ${p.workers.filter((w: any) => w.polling).length} worker(s) polling${p.hasWorker ? '' : ' — NO WORKER: none polls, no host beats'}${p.paused ? `, PAUSED by ${p.paused.pausedBy ?? 'an operator'}` : ''}${p.hosts?.length ? `, hosts ${p.hosts.map((h: any) => `${h.host} ${h.state}`).join(', ')}` : ''}`),
        `llm        ${!body.llm.configured ? 'not configured' : body.llm.ok ? 'ok' : 'DOWN'} ${body.llm.baseUrl ?? ''}${body.llm.demo ? ' (demo)' : ''}${body.llm.error ? `: ${body.llm.error}` : ''}`,
        ...(body.llm.ok ? body.llm.models.map((m: any) => `  model ${m.name} (${m.role}): ${m.available ? 'served' : 'NOT served by this endpoint'}`) : []),
      ].join('\n'));
      return body.status === 'ok' ? 0 : 1;
    }
    case 'pools': case 'pool':
      return poolsCommand(api, command, rest, values, out);
    case 'character': case 'lora': case 'stage':
      return loraCommand(api, command, rest, { ...values }, out);
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  if (error instanceof CliError) { process.stderr.write(`atelier: ${error.message}\n`); process.exit(error.exitCode); }
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) { process.stderr.write(`atelier: ${(error as Error).message}\n\n${USAGE}\n`); process.exit(2); }
  process.stderr.write(`atelier: unexpected error: ${(error as Error).message}\n`);
  process.exit(1);
});
