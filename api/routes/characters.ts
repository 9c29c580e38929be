// Characters: name, trigger word, description, sample prompts, and their images (uploads with captions).
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { describeIssues } from '../../core/generate-input.ts';
import { addImagesSchema, characterInputSchema, characterUpdateSchema, defaultSamplePrompts } from '../../core/character-input.ts';
import { DuplicateImagesError, newCharacterId } from '../../db/characters.ts';
import type { LoraContext } from '../lora-context.ts';

const ID = /^ch_[0-9a-f]{12}$/;

export function characterRoutes(ctx: ApiContext, lora: LoraContext): Router {
  const router = Router();
  const body = (req: { body: unknown }) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('send a JSON object with content-type application/json');
    return req.body;
  };
  const find = async (id: string) => {
    if (!ID.test(id)) throw badRequest(`"${id.slice(0, 80)}" is not a character id: they look like ch_ and 12 hex digits (GET /api/characters)`);
    const character = await lora.characters.get(id);
    if (!character) throw notFound(`no character "${id}": list them with GET /api/characters`);
    return character;
  };
  const refuseDuplicates = (error: unknown): never => {
    if (error instanceof DuplicateImagesError) throw new HttpError(409, `${error.message}: remove ${error.duplicates.length > 1 ? 'those images' : 'that image'} and send the rest again (nothing was added)`);
    throw error;
  };

  router.get('/characters', async (_req, res) => {
    const rows = await lora.characters.list();
    res.json({ characters: rows.map((r) => ({ ...lora.characterView(r.character), images: r.images, loras: r.loras, coverUrl: r.cover ? `/api/assets/${r.cover}` : null })) });
  });

  router.post('/characters', async (req, res) => {
    const parsed = characterInputSchema.safeParse(body(req));
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const input = parsed.data;
    if (await lora.characters.findByName(input.name)) throw new HttpError(409, `a character named "${input.name}" exists already: choose another name`);
    const images = await lora.imagesFromUploads(input.images);
    const created = await lora.characters.create({ id: newCharacterId(), name: input.name, triggerWord: input.triggerWord, description: input.description, samplePrompts: input.samplePrompts ?? defaultSamplePrompts() }, images)
      .catch((error) => {
        if (/characters_name_idx/.test(String((error as Error).message))) throw new HttpError(409, `a character named "${input.name}" exists already: choose another name`);
        return refuseDuplicates(error);
      });
    const captioning = await lora.captionLater(req, created.character.id, created.images);
    req.log.info({ characterId: created.character.id, images: created.images.length }, 'character created');
    res.status(201).json({ character: lora.characterView(created.character), images: created.images.map((i) => lora.imageView(i, created.character)), captioning });
  });

  router.get('/characters/:id', async (req, res) => {
    const character = await find(req.params.id);
    const images = await lora.characters.imagesOf(character.id);
    const loras = await lora.characters.lorasOf(character.id);
    res.json({
      character: lora.characterView(character),
      counts: { images: images.length, trainable: images.filter((i) => !lora.imageView(i).tooSmall).length, uncaptioned: images.filter((i) => i.caption === null).length },
      loras: loras.map((l) => ({ name: l.name, file: `${l.name}.safetensors`, steps: l.steps, bytes: l.bytes, jobId: l.jobId, createdAt: l.createdAt })),
    });
  });

  router.patch('/characters/:id', async (req, res) => {
    const character = await find(req.params.id);
    const parsed = characterUpdateSchema.safeParse(body(req));
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    if (parsed.data.name && parsed.data.name.toLowerCase() !== character.name.toLowerCase() && (await lora.characters.findByName(parsed.data.name))) throw new HttpError(409, `a character named "${parsed.data.name}" exists already`);
    const updated = await lora.characters.update(character.id, parsed.data);
    res.json({ character: lora.characterView(updated!) });
  });

  router.delete('/characters/:id', async (req, res) => {
    const character = await find(req.params.id);
    await lora.characters.delete(character.id);
    req.log.info({ characterId: character.id }, 'character deleted');
    res.json({ deleted: character.id });
  });

  router.post('/characters/:id/images', async (req, res) => {
    const character = await find(req.params.id);
    const parsed = addImagesSchema.safeParse(body(req));
    if (!parsed.success) throw badRequest(describeIssues(parsed.error));
    const added = await lora.characters.addImages(character.id, await lora.imagesFromUploads(parsed.data.images)).catch(refuseDuplicates);
    const captioning = await lora.captionLater(req, character.id, added);
    res.status(201).json({ images: added.map((i) => lora.imageView(i, character)), captioning });
  });
  return router;
}
