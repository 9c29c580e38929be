// `atelier sprites …`: pixel-art sprites from prompts, their review, and deploys into a Bevy project.
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { CliError, type ApiClient } from './api-client.ts';
import { followEvents } from './sse.ts';
import { uploadFiles } from './uploads.ts';
import { parsePromptLines, SPRITE_CATEGORIES, SPRITE_GRIDS, SPRITE_STYLE_NAMES } from '../core/sprites-input.ts';
import { FIXED_PALETTE_NAMES } from '../core/palettes.ts';
import type { DeploymentSummary, SpritesState } from '../workflows/sprites-state.ts';

export const SPRITES_USAGE = `  atelier sprites "<prompt>" [--count N] [--style ${SPRITE_STYLE_NAMES.join('|')}] [--size ${SPRITE_GRIDS.join('|')}]
                             [--palette auto|${FIXED_PALETTE_NAMES.join('|')}|palette.png] [--colours N] [--frames N]
                             [--category ${SPRITE_CATEGORIES.join('|')}] [--outline] [--keep-all] [--project NAME]
                             [--deploy <bevy project>] [--force] [--wait]
  atelier sprites batch prompts.txt [same options]   one prompt a line; "tile: mossy stone" sets a line's category
  atelier sprites deploy|undeploy <job> --project <bevy project> [--force] [--dry-run]
  atelier sprites library [--project NAME]`;

const FINAL = new Set(['job.completed', 'job.failed', 'job.cancelled']);

function whole(name: string, value: string | undefined, allowed?: readonly number[]): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || (allowed && !allowed.includes(n))) throw new CliError(`--${name} must be ${allowed ? allowed.join(', ') : 'a whole number'}; got "${value}"`, 2);
  return n;
}

const absolute = (dir: string) => path.resolve(dir);

function printDeployment(result: DeploymentSummary, write: (line: string) => void): void {
  for (const file of result.files) write(`  ${file.action.padEnd(9)} ${file.path}${file.reason ? `  (${file.reason})` : ''}`);
  if (result.loadLines.length) {
    write('\nIn your Bevy systems:');
    for (const entry of result.loadLines) for (const line of entry.lines) write(`  ${line}`);
  }
}

async function waitForSprites(api: ApiClient, id: string, write: (line: string) => void): Promise<number> {
  let outcome = 'job.completed';
  let error = '';
  let told = false;
  await followEvents(api, id, (event) => {
    if (event.type === 'sprite.pixelated') write(`pixelated ${event.data.sprite} (${event.data.width}×${event.data.height}, ${event.data.colours} colours)`);
    if (event.type === 'review.awaiting' && !told) {
      told = true;
      write(`sprites await your review: open ${api.target.url}/sprites/${id}, or: atelier review ${id} <sprite> keep|discard|regenerate (atelier job ${id} lists them)`);
    }
    if (event.type === 'sprites.deploy-failed') write(`deploy failed: ${event.data.error}`);
    if (FINAL.has(event.type)) {
      outcome = event.type;
      error = event.data.error ?? '';
      return false;
    }
  });
  if (outcome !== 'job.completed') {
    process.stderr.write(outcome === 'job.cancelled' ? `job ${id} was cancelled\n` : `job ${id} failed: ${error}\n`);
    return 1;
  }
  const detail = await api.get<{ state: SpritesState | null }>(`/api/jobs/${encodeURIComponent(id)}`);
  const kept = detail.state?.sprites.filter((s) => s.status === 'kept') ?? [];
  write(`${kept.length} sprite(s) kept`);
  for (const sprite of kept) {
    const local = path.join(api.target.dataDir, sprite.sprite!.path);
    write(`  ${sprite.fileName ?? sprite.id}  ${fs.existsSync(local) ? local : `${api.target.url}/api/assets/${sprite.sprite!.id}`}`);
  }
  const deployment = detail.state?.deployment;
  if (deployment && 'error' in deployment) {
    process.stderr.write(`deploy into ${deployment.project} failed: ${deployment.error}\n`);
    return 1;
  }
  if (deployment) {
    write(`deployed into ${deployment.project}:`);
    printDeployment(deployment, write);
  }
  return 0;
}

export async function spritesCommand(api: () => ApiClient, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      count: { type: 'string' }, style: { type: 'string' }, size: { type: 'string' }, palette: { type: 'string' }, colours: { type: 'string' },
      frames: { type: 'string' }, category: { type: 'string' }, outline: { type: 'boolean' }, 'keep-all': { type: 'boolean' },
      project: { type: 'string' }, deploy: { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' },
      wait: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, pool: { type: 'string' }, seed: { type: 'string' }, steps: { type: 'string' },
    },
  });
  const write = (line: string) => process.stdout.write(line + '\n');
  const out = (data: unknown, human: () => void) => (values.json ? write(JSON.stringify(data, null, 2)) : human());
  const [verb, ...rest] = positionals;
  if (values.help) { write(SPRITES_USAGE); return 0; }
  if (!verb) throw new CliError(`sprites needs a prompt or a verb:\n${SPRITES_USAGE}`, 2);

  if (verb === 'deploy' || verb === 'undeploy') {
    if (!rest[0]) throw new CliError(`sprites ${verb} needs a job id: atelier sprites ${verb} <job> --project <bevy project>`, 2);
    if (!values.project) throw new CliError(`sprites ${verb} needs --project <bevy project folder>`, 2);
    const result = await api().post<DeploymentSummary>(`/api/sprites/${encodeURIComponent(rest[0])}/${verb}`, { project: absolute(values.project), force: values.force ?? false, dryRun: values['dry-run'] ?? false });
    out(result, () => {
      write(`${result.dryRun ? 'would ' : ''}${verb} ${rest[0]} ${verb === 'deploy' ? 'into' : 'from'} ${result.project}:`);
      printDeployment(result, write);
    });
    return 0;
  }
  if (verb === 'library') {
    const query = values.project ? `?project=${encodeURIComponent(values.project)}` : '';
    const body = await api().get<{ sprites: { project: string; name: string; category: string; grid: number; frames: number; jobId: string; prompt: string }[] }>(`/api/sprites${query}`);
    out(body, () => write(body.sprites.length ? body.sprites.map((s) => `${s.project.padEnd(12)} ${s.category.padEnd(9)} ${s.name.padEnd(24)} ${s.grid}px${s.frames > 1 ? ` ×${s.frames}` : ''}  ${s.jobId}  ${s.prompt.slice(0, 50)}`).join('\n') : 'no kept sprites yet: atelier sprites "a medieval knight"'));
    return 0;
  }

  let prompts: unknown[];
  if (verb === 'batch') {
    if (!rest[0]) throw new CliError('sprites batch needs a file: atelier sprites batch prompts.txt (one prompt a line)', 2);
    let text: string;
    try {
      text = fs.readFileSync(rest[0], 'utf8');
    } catch {
      throw new CliError(`cannot read ${rest[0]}: give a text file with one prompt a line`, 2);
    }
    prompts = parsePromptLines(text);
    if (!prompts.length) throw new CliError(`${rest[0]} has no prompts: write one prompt a line (# starts a comment)`, 2);
  } else {
    prompts = [[verb, ...rest].join(' ').trim()];
  }
  const client = api();
  let palette = values.palette;
  if (palette && /\.png$/i.test(palette)) palette = (await uploadFiles(client, [palette]))[0]!.id;
  const body = {
    prompts, variants: whole('count', values.count), style: values.style, size: whole('size', values.size, SPRITE_GRIDS), palette,
    colours: whole('colours', values.colours), frames: whole('frames', values.frames), category: values.category, outline: values.outline,
    review: values['keep-all'] ? false : undefined, project: values.project, pool: values.pool, seed: whole('seed', values.seed), steps: whole('steps', values.steps),
    deploy: values.deploy ? { project: absolute(values.deploy), force: values.force ?? false } : undefined,
  };
  const started = await client.post<{ id: string; links: { page: string; temporal: string | null } }>('/api/sprites', body);
  out(started, () => write(`started ${started.id}\n  review: ${client.target.url}${started.links.page}${started.links.temporal ? `\n  Temporal Web: ${started.links.temporal}` : ''}`));
  return values.wait ? waitForSprites(client, started.id, write) : 0;
}
