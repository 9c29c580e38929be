// `atelier character …`, `atelier lora …` and `atelier stage …`: characters and their images, LoRA trainings with a
// live line (step, loss, ETA), trained LoRAs, and keep/discard of staged images.
import crypto from 'node:crypto';
import { CliError, type ApiClient } from './api-client.ts';
import { followEvents } from './sse.ts';
import { uploadFiles } from './uploads.ts';

export const LORA_USAGE = `  atelier character create <name> --trigger WORD [--description TEXT] [image...]
  atelier character list
  atelier character add-images <character> <image...> [--caption TEXT]
  atelier lora train <character> [--preset quick|balanced|high] [--steps N] [--pool P] [--wait]
  atelier lora list
  atelier stage <job> keep|discard [asset...]     (no asset: every image still staged)`;

export interface LoraOptions { trigger?: string; description?: string; caption?: string; preset?: string; steps?: string; pool?: string; wait?: boolean; json?: boolean }

interface Character { id: string; name: string; triggerWord: string; images: number; loras: number }

const clock = (seconds: number | null | undefined) => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

async function findCharacter(api: ApiClient, ref: string | undefined): Promise<Character> {
  if (!ref) throw new CliError('name a character (its name or id): atelier character list shows them', 2);
  const { characters } = await api.get<{ characters: Character[] }>('/api/characters');
  const found = characters.find((c) => c.id === ref) ?? characters.find((c) => c.name.toLowerCase() === ref.toLowerCase());
  if (!found) throw new CliError(`no character "${ref}": ${characters.length ? `there are ${characters.map((c) => c.name).join(', ')}` : 'create one with atelier character create <name> --trigger WORD'}`, 2);
  return found;
}

/** follows a training until it ends or its samples wait for a person; one live line on a terminal */
async function followTraining(api: ApiClient, id: string): Promise<number> {
  const tty = process.stdout.isTTY;
  let outcome = '';
  let error = '';
  let staged: string[] = [];
  await followEvents(api, id, (event) => {
    const d = event.data;
    if (event.type === 'training.progress') {
      const line = `step ${d.step}/${d.total}  loss ${typeof d.loss === 'number' ? d.loss.toFixed(4) : '?'}  ETA ${clock(d.etaSeconds)}  (${d.host})`;
      process.stdout.write(tty ? `\r${line}   ` : `${line}\n`);
    } else if (['training.started', 'training.resumed', 'training.restored', 'training.checkpoint', 'training.stopped', 'lora.registered', 'lora.installed', 'lora.failover', 'dataset.prepared', 'training.notice'].includes(event.type)) {
      const text = event.type === 'training.started' ? `training on ${d.host} (attempt ${d.attempt})${d.resumeFrom !== null ? `, resuming from step ${d.resumeFrom}` : ''}`
        : event.type === 'training.resumed' ? `the trainer resumed at step ${d.step}`
        : event.type === 'training.checkpoint' ? `checkpoint at step ${d.step}`
        : event.type === 'lora.registered' ? `LoRA ${d.file} (${Math.round(d.bytes / 1024)} KiB, ${d.steps} steps)`
        : event.type === 'lora.installed' ? `sampling on ${d.host} (LoRA from ${d.from})`
        : event.type === 'dataset.prepared' ? `dataset: ${d.images} images${d.skipped?.length ? `, ${d.skipped.length} too small and left out` : ''}`
        : `${event.type.replace(/^\w+\./, '')}: ${d.message ?? d.reason ?? d.how ?? ''}`;
      process.stdout.write(`${tty ? '\r\x1b[K' : ''}${text}\n`);
    } else if (event.type === 'review.awaiting' && d.step === 'staging') {
      outcome = 'staged';
      return false;
    } else if (['job.completed', 'job.failed', 'job.cancelled'].includes(event.type)) {
      outcome = event.type;
      error = d.error ?? '';
      return false;
    }
    return undefined;
  });
  if (tty) process.stdout.write('\n');
  if (outcome === 'staged') {
    const job = await api.get<{ state: { awaitingReview: { stepId: string; assets?: { id: string }[] }[] } }>(`/api/jobs/${encodeURIComponent(id)}`);
    staged = job.state.awaitingReview.find((r) => r.stepId === 'staging')?.assets?.map((a) => a.id) ?? [];
    process.stdout.write(`trained; ${staged.length} samples staged: ${staged.join(' ')}\n  keep:    atelier stage ${id} keep <asset...>\n  discard: atelier stage ${id} discard <asset...>\n`);
    return 0;
  }
  if (outcome === 'job.completed') return 0;
  process.stderr.write(outcome === 'job.cancelled' ? `job ${id} was cancelled\n` : `job ${id} failed: ${error}\n`);
  return 1;
}

export async function loraCommand(api: ApiClient, command: string, rest: string[], o: LoraOptions, out: (data: unknown, human: () => string) => void): Promise<number> {
  const [verb, ...args] = rest;
  if (command === 'character' && verb === 'create') {
    const name = args[0];
    if (!name || !o.trigger) throw new CliError('character create needs a name and a trigger word: atelier character create Ada --trigger ohwx_ada [photo.jpg …]', 2);
    const uploads = args.length > 1 ? await uploadFiles(api, args.slice(1)) : [];
    const created = await api.post<{ character: Character; images: unknown[]; captioning: string | null }>('/api/characters', {
      name, triggerWord: o.trigger, description: o.description ?? '', images: uploads.map((u) => ({ assetId: u.id, name: u.name, ...(o.caption ? { caption: o.caption } : {}) })),
    });
    out(created, () => `created ${created.character.id}  ${created.character.name} (trigger word ${created.character.triggerWord}), ${created.images.length} image(s)${created.captioning ? `; auto-captions: job ${created.captioning}` : ''}`);
    return 0;
  }
  if (command === 'character' && verb === 'list') {
    const body = await api.get<{ characters: Character[] }>('/api/characters');
    out(body, () => body.characters.length ? body.characters.map((c) => `${c.id}  ${c.name.padEnd(20)} ${c.triggerWord.padEnd(16)} ${String(c.images).padStart(4)} image(s)  ${c.loras} LoRA(s)`).join('\n') : 'no characters yet: atelier character create <name> --trigger WORD [image…]');
    return 0;
  }
  if (command === 'character' && verb === 'add-images') {
    const character = await findCharacter(api, args[0]);
    const uploads = await uploadFiles(api, args.slice(1));
    const added = await api.post<{ images: unknown[]; captioning: string | null }>(`/api/characters/${character.id}/images`, { images: uploads.map((u) => ({ assetId: u.id, name: u.name, ...(o.caption ? { caption: o.caption } : {}) })) });
    out(added, () => `added ${added.images.length} image(s) to ${character.name}${added.captioning ? `; auto-captions: job ${added.captioning}` : ''}`);
    return 0;
  }
  if (command === 'lora' && verb === 'train') {
    const character = await findCharacter(api, args[0]);
    const steps = o.steps === undefined ? undefined : Number(o.steps);
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 10)) throw new CliError(`--steps must be a whole number of at least 10; got "${o.steps}"`, 2);
    const started = await api.post<{ id: string; summary: string }>('/api/loras', { characterId: character.id, preset: o.preset ?? 'quick', pool: o.pool, ...(steps ? { advanced: { steps } } : {}) });
    out(started, () => `started ${started.id}\n  ${started.summary}`);
    return o.wait ? followTraining(api, started.id) : 0;
  }
  if (command === 'lora' && verb === 'list') {
    const body = await api.get<{ loras: { name: string; characterName?: string; steps?: number; bytes?: number; triggerWord?: string }[] }>('/api/loras');
    out(body, () => body.loras.length ? body.loras.map((l) => `${l.name.padEnd(40)} ${l.characterName ? `${l.characterName} (trigger ${l.triggerWord}), ${l.steps} steps, ${Math.round((l.bytes ?? 0) / 1024)} KiB` : '(not trained here)'}`).join('\n') : 'no LoRAs yet: atelier lora train <character>');
    return 0;
  }
  if (command === 'stage') {
    const [jobId, decision, ...assetIds] = rest;
    if (!jobId || !decision || !['keep', 'discard'].includes(decision)) throw new CliError('stage needs a job and keep or discard: atelier stage <job> keep|discard [asset…] (atelier job <id> lists the staged images)', 2);
    const result = await api.post<{ state: { awaitingReview: { stepId: string; assets?: unknown[] }[] } }>(`/api/jobs/${encodeURIComponent(jobId)}/review`, {
      stepId: 'staging', decision, decisionId: `cli-${crypto.randomUUID()}`, source: 'cli', ...(assetIds.length ? { assetIds } : {}),
    });
    const left = result.state.awaitingReview.find((r) => r.stepId === 'staging')?.assets?.length ?? 0;
    out(result, () => `${decision === 'keep' ? 'kept' : 'discarded'} ${assetIds.length || 'every staged'} image${assetIds.length === 1 ? '' : 's'}${decision === 'keep' ? ' (they join the dataset)' : ''}; ${left} still staged`);
    return 0;
  }
  throw new CliError(`unknown command "${[command, verb].filter(Boolean).join(' ')}"\n\n${LORA_USAGE}`, 2);
}
