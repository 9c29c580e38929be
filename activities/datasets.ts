// A character's dataset as training sees it: auto-captions for images that have none, the training folder (images
// and caption files) written into the artifact store, and staged samples a person kept, added back as images.
import { Context } from '@temporalio/activity';
import path from 'node:path';
import sharp from 'sharp';
import type { Logger } from 'pino';
import { assetIdFor, sha256, type Store } from '../core/store.ts';
import { tooSmallToTrain, withTrigger } from '../core/character-input.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { CharacterRepository } from '../db/characters.ts';
import type { DatasetImageRow } from '../db/schema.ts';
import type { EmitEvent } from './events.ts';
import type { LlmClient } from './llm.ts';
import { activityLlmOptions } from './llm-activity.ts';
import { captionImage } from './captions.ts';

export interface DatasetDeps { store: Store; assets: AssetRepository; characters: CharacterRepository; emit: EmitEvent; logger: Logger; llm?: LlmClient }

export interface PreparedDataset { images: number; skipped: { fileName: string; reason: string }[]; captioned: number }
export interface KeptSample { assetId: string; caption: string }

export function datasetActivities(deps: DatasetDeps) {
  async function loadBytes(image: DatasetImageRow): Promise<Buffer> {
    const asset = await deps.assets.get(image.assetId);
    if (!asset) throw new Error(`the upload ${image.assetId} of "${image.fileName}" is gone from the assets`);
    return deps.store.read(asset.relativePath);
  }

  /** captions images that have none; an image the LLM cannot caption keeps none (said in an event) */
  async function captionMissing(jobId: string, characterId: string, only?: string[]): Promise<{ captioned: number; failed: string[] }> {
    const character = await deps.characters.get(characterId);
    if (!character) return { captioned: 0, failed: [] };
    const missing = (await deps.characters.imagesOf(characterId)).filter((i) => i.caption === null && (!only || only.includes(i.id)));
    if (!missing.length) return { captioned: 0, failed: [] };
    if (!deps.llm) {
      await deps.emit(jobId, 'dataset.notice', { message: 'no LLM is configured (OPENAI_BASE_URL): images without a caption train with the trigger word alone' }, { level: 'warn' });
      return { captioned: 0, failed: missing.map((m) => m.fileName) };
    }
    let captioned = 0;
    const failed: string[] = [];
    for (const [index, image] of missing.entries()) {
      Context.current().heartbeat({ captioning: index + 1, of: missing.length });
      try {
        const caption = await captionImage(deps.llm, await loadBytes(image), character, activityLlmOptions(deps.emit, jobId, 'captions'));
        if (await deps.characters.setAutoCaption(image.id, caption)) {
          captioned += 1;
          await deps.emit(jobId, 'dataset.captioned', { imageId: image.id, fileName: image.fileName, caption }, { dedupeKey: `captioned:${image.id}` });
        }
      } catch (error) {
        if (Context.current().cancellationSignal.aborted) throw error;
        failed.push(image.fileName);
        await deps.emit(jobId, 'dataset.notice', { message: `no auto-caption for "${image.fileName}": ${(error as Error).message}` }, { level: 'warn' });
      }
    }
    return { captioned, failed };
  }

  return {
    captionImages: (input: { jobId: string; characterId: string; imageIds?: string[] }) => captionMissing(input.jobId, input.characterId, input.imageIds),

    /** images and `.txt` captions into jobs/<id>/dataset/ (same names on a retry); flagged images left out */
    async prepareDataset(input: { jobId: string; characterId: string }): Promise<PreparedDataset> {
      const { captioned } = await captionMissing(input.jobId, input.characterId);
      const character = (await deps.characters.get(input.characterId))!;
      const images = await deps.characters.imagesOf(input.characterId);
      const skipped: PreparedDataset['skipped'] = [];
      let written = 0;
      for (const [index, image] of images.entries()) {
        Context.current().heartbeat({ preparing: index + 1, of: images.length });
        if (tooSmallToTrain(image.width, image.height)) {
          skipped.push({ fileName: image.fileName, reason: `${image.width} × ${image.height} px is under the training resolution` });
          continue;
        }
        written += 1;
        const stem = `img-${String(written).padStart(4, '0')}`;
        const bytes = await loadBytes(image);
        const ext = path.extname((await deps.assets.get(image.assetId))!.relativePath) || '.png';
        await deps.store.writeAtomic(deps.store.relativeAssetPath(input.jobId, 'dataset', `${stem}${ext}`), bytes);
        const caption = withTrigger(image.caption ?? '[trigger]', character.triggerWord);
        await deps.store.writeAtomic(deps.store.relativeAssetPath(input.jobId, 'dataset', `${stem}.txt`), Buffer.from(caption + '\n'));
      }
      await deps.emit(input.jobId, 'dataset.prepared', { images: written, skipped, captioned }, { dedupeKey: 'dataset.prepared' });
      return { images: written, skipped, captioned };
    },

    /** kept samples join the character's dataset as uploads with a caption; content already there is skipped */
    async keepSamples(input: { jobId: string; characterId: string; samples: KeptSample[] }): Promise<{ kept: number; duplicates: number }> {
      if (!(await deps.characters.get(input.characterId))) {
        await deps.emit(input.jobId, 'dataset.notice', { message: 'the character was deleted: the kept images stay in this job only' }, { level: 'warn' });
        return { kept: 0, duplicates: 0 };
      }
      const entries = [];
      for (const sample of input.samples) {
        const asset = await deps.assets.get(sample.assetId);
        if (!asset) continue;
        const bytes = await deps.store.read(asset.relativePath);
        const meta = await sharp(bytes).metadata();
        const ext = meta.format === 'jpeg' ? 'jpg' : meta.format ?? 'png';
        const digest = sha256(bytes);
        const relativePath = deps.store.relativeUploadPath(digest, ext);
        const id = assetIdFor(relativePath);
        const fileName = `sample-${path.basename(asset.relativePath)}`;
        if (!(await deps.assets.get(id))) {
          await deps.store.writeAtomic(relativePath, bytes);
          await deps.assets.upsert({ id, jobId: null, kind: 'upload', relativePath, sha256: digest, bytes: bytes.length, width: meta.width ?? null, height: meta.height ?? null, mime: asset.mime, meta: { name: fileName, fromJob: input.jobId, fromAsset: asset.id } });
        }
        entries.push({ assetId: id, sha256: digest, fileName, caption: sample.caption, captionSource: 'sample', width: meta.width ?? 0, height: meta.height ?? 0, origin: 'sample', sourceJobId: input.jobId });
      }
      const added = await deps.characters.addImagesSkippingDuplicates(input.characterId, entries);
      await deps.emit(input.jobId, 'dataset.kept', { kept: added.length, duplicates: entries.length - added.length, images: added.map((a) => ({ id: a.id, fileName: a.fileName, caption: a.caption })) }, { dedupeKey: `dataset.kept:${input.samples.map((s) => s.assetId).join(',')}` });
      return { kept: added.length, duplicates: entries.length - added.length };
    },
  };
}

export type DatasetActivities = ReturnType<typeof datasetActivities>;
