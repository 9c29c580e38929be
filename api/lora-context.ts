// What the lora pipeline's routes share: repositories, how a dataset image and a character look in answers, and
// starting the auto-caption workflow for images that came without a caption.
import crypto from 'node:crypto';
import type { ApiContext } from './context.ts';
import { badRequest } from './errors.ts';
import { characterRepository, type NewDatasetImage } from '../db/characters.ts';
import { loraRepository } from '../db/loras.ts';
import type { CharacterRow, DatasetImageRow } from '../db/schema.ts';
import { tooSmallToTrain, MIN_TRAINING_SIDE } from '../core/character-input.ts';
import { MAIN_TASK_QUEUE } from '../workflows/messages.ts';

export function loraContext(ctx: ApiContext) {
  const characters = characterRepository(ctx.database.db);
  const loras = loraRepository(ctx.database.db);

  const imageView = (image: DatasetImageRow, character?: { name: string }) => ({
    id: image.id, characterId: image.characterId, characterName: character?.name, assetId: image.assetId, fileName: image.fileName,
    caption: image.caption, captionSource: image.captionSource, width: image.width, height: image.height, origin: image.origin, sourceJobId: image.sourceJobId,
    tooSmall: tooSmallToTrain(image.width, image.height),
    flag: tooSmallToTrain(image.width, image.height) ? `${image.width} × ${image.height} px: under the ${MIN_TRAINING_SIDE} px training resolution, not trained on` : null,
    url: `/api/assets/${image.assetId}`, thumbUrl: `/api/dataset/${image.id}/thumb`, createdAt: image.createdAt,
  });

  const characterView = (c: CharacterRow) => ({ id: c.id, name: c.name, triggerWord: c.triggerWord, description: c.description, samplePrompts: c.samplePrompts, createdAt: c.createdAt, updatedAt: c.updatedAt });

  /** uploads (POST /api/uploads) → dataset rows; an id that is not an image asset is the person's to fix */
  async function imagesFromUploads(entries: { assetId: string; caption?: string; name?: string }[]): Promise<NewDatasetImage[]> {
    const images: NewDatasetImage[] = [];
    for (const entry of entries) {
      const asset = await ctx.assets.get(entry.assetId);
      if (!asset || !asset.mime.startsWith('image/')) throw badRequest(`no uploaded image "${entry.assetId}": upload it first (POST /api/uploads) and send the id it returns`);
      const fileName = entry.name ?? (typeof asset.meta?.name === 'string' ? asset.meta.name : asset.relativePath.split('/').pop()!);
      images.push({ assetId: asset.id, sha256: asset.sha256, fileName, caption: entry.caption || null, captionSource: entry.caption ? 'user' : 'none', width: asset.width ?? 0, height: asset.height ?? 0 });
    }
    return images;
  }

  /** auto-captions (the vision LLM) for new images without one; the job id, or null when none is needed */
  async function captionLater(req: { correlationId?: string }, characterId: string, images: DatasetImageRow[]): Promise<string | null> {
    const missing = images.filter((i) => i.caption === null).map((i) => i.id);
    if (!missing.length || !ctx.config.llm.baseUrl) return null;
    const id = `captions-${crypto.randomUUID()}`;
    await ctx.jobs.register({ id, pipeline: 'lora', title: 'Auto-captions', stage: 'queued', inputSummary: { kind: 'captions', characterId, imageIds: missing }, correlationId: req.correlationId });
    await ctx.temporal.workflow.start('loraCaptionsWorkflow', {
      taskQueue: MAIN_TASK_QUEUE, workflowId: id, args: [{ characterId, imageIds: missing }], memo: { correlationId: req.correlationId },
      searchAttributes: { AtelierPipeline: ['lora'], AtelierStage: ['queued'], AtelierProject: ['default'] },
    });
    return id;
  }

  return { characters, loras, imageView, characterView, imagesFromUploads, captionLater };
}

export type LoraContext = ReturnType<typeof loraContext>;
