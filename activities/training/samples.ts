// The trainer's own sample images, registered as the job's assets while training runs (the page shows them live).
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { assetIdFor, sha256, type Store } from '../../core/store.ts';
import type { AssetRepository } from '../../db/assets.ts';
import type { EmitEvent } from '../events.ts';
import type { TrainerBackend, TrainingRun } from './backend.ts';

export function trainerSamples(deps: { store: Store; assets: AssetRepository; emit: EmitEvent }, run: TrainingRun, backend: TrainerBackend) {
  const seen = new Set<string>();
  let scanning: Promise<number> = Promise.resolve(0);

  async function register(file: string, step: number, index: number): Promise<void> {
    const bytes = await fs.readFile(path.join(backend.samplesDir(run), file));
    const meta = await sharp(bytes).metadata();
    const ext = meta.format === 'jpeg' ? 'jpg' : meta.format ?? 'png';
    const relativePath = deps.store.relativeAssetPath(run.jobId, 'samples', `train-${String(step).padStart(6, '0')}-${index}.${ext}`);
    await deps.store.writeAtomic(relativePath, bytes);
    const id = assetIdFor(relativePath);
    const prompt = run.samplePrompts[index] ?? null;
    const mime = `image/${meta.format === 'jpeg' ? 'jpeg' : meta.format ?? 'png'}`;
    await deps.assets.upsert({ id, jobId: run.jobId, kind: 'samples', relativePath, sha256: sha256(bytes), bytes: bytes.length, width: meta.width ?? null, height: meta.height ?? null, mime, meta: { source: 'trainer', step, index, prompt } });
    await deps.emit(run.jobId, 'training.sample', { assetId: id, path: relativePath, step, index, prompt, width: meta.width, height: meta.height }, { dedupeKey: `training.sample:${id}` });
  }

  async function scan(): Promise<number> {
    const files = await fs.readdir(backend.samplesDir(run)).catch(() => [] as string[]);
    let added = 0;
    for (const file of files.sort()) {
      const sample = backend.sampleOf(file);
      if (!sample || seen.has(file)) continue;
      seen.add(file);
      await register(file, sample.step, sample.index);
      added += 1;
    }
    return added;
  }

  return {
    /** one scan at a time; a call while one runs waits for it and scans again */
    scan: () => (scanning = scanning.catch(() => 0).then(scan)),
  };
}
