// Image work on the CPU: the scene steps' masks, inputs and pixel checks, and the scene export; the sprites
// pipeline's pixelate step (background keyed out, nearest-neighbour grid, palettes, sheets). Code per concern lives
// in activities/imaging/.
import { ApplicationFailure } from '@temporalio/activity';
import sharp from 'sharp';
import type { EmitEvent } from './events.ts';
import type { AssetRef } from '../workflows/messages.ts';
import { parseAspect, reframeGeometry, type MaskMode, type StepThresholds, type StepType } from '../workflows/scene-plan.ts';
import { sceneAssetWriter, type SceneAssetDeps } from './scene-assets.ts';
import { decodeMask, decodeRaster, encodePng, rasterCache, type Raster } from './imaging/raster.ts';
import { autoMask, checkMaskSize, MaskSizeError, whitenOutside } from './imaging/masks.ts';
import type { CheckResult } from './imaging/checks.ts';
import { checkStepOutput, CHECKED_STEP_TYPES } from './imaging/validate.ts';
import { buildSceneExport, type SceneExportInput } from './imaging/export.ts';
import { spriteImaging } from './imaging/sprite-activity.ts';

export type { PixelateSpriteInput, PixelatedSprite } from './imaging/sprite-activity.ts';

export interface ImagingDeps extends SceneAssetDeps { emit: EmitEvent }

export interface PrepareRequest {
  jobId: string;
  stepId: string;
  name: string;
  type: StepType;
  input: AssetRef;
  mask: { mode: MaskMode; manualAssetId?: string; layer?: AssetRef; layerOffset?: { left: number; top: number }; dilate?: number };
  aspect?: string;
  /** openai: send the padded canvas and a mask of the new area; comfyui: its graph pads */
  padCanvas?: boolean;
  /** REFRAME borders in multiples of this (8 for ComfyUI) */
  snap?: number;
}

export interface PreparedStep { image: AssetRef; mask?: AssetRef; reframe?: { width: number; height: number; left: number; top: number } }

export function imagingActivities(deps: ImagingDeps) {
  const files = sceneAssetWriter(deps);
  const cached = rasterCache(6);
  const raster = (ref: AssetRef, alpha = false) => cached(`${ref.path}:${alpha}`, async () => decodeRaster(await files.read(ref), { alpha }));
  const maskKey = (ref: AssetRef) => `${ref.path}:mask`;
  const maskOf = (ref: AssetRef) => cached(maskKey(ref), async () => decodeMask(await files.read(ref)));
  /** a picture's size from its asset record (read from the file's header when the record has none) */
  const sizeOf = async (ref: AssetRef) => {
    if (ref.width && ref.height) return { width: ref.width, height: ref.height };
    const meta = await sharp(await files.read(ref)).metadata();
    return { width: meta.width ?? 0, height: meta.height ?? 0 };
  };

  async function buildMask(request: PrepareRequest, input: { width: number; height: number }): Promise<Raster | undefined> {
    const { mode, manualAssetId, layer, layerOffset, dilate } = request.mask;
    if (manualAssetId) {
      const asset = await deps.assets.get(manualAssetId);
      if (!asset) throw ApplicationFailure.nonRetryable(`no mask "${manualAssetId}": upload the mask (POST /api/uploads) and send its id`, 'BadMask');
      const mask = await decodeMask(await deps.store.read(asset.relativePath));
      try {
        checkMaskSize(mask, input);
      } catch (error) {
        if (error instanceof MaskSizeError) throw ApplicationFailure.nonRetryable(error.message, 'BadMask');
        throw error;
      }
      return mask;
    }
    if (mode !== 'AUTO' || !layer) return undefined;
    const made = autoMask(await raster(layer, true), dilate ?? 8);
    if (made.width === input.width && made.height === input.height && !layerOffset?.left && !layerOffset?.top) return made;
    // the layer was made on a smaller canvas (before a REFRAME): place it where it sits now
    const placed = await sharp({ create: { width: input.width, height: input.height, channels: 3, background: '#000000' } })
      .composite([{ input: made.data, raw: { width: made.width, height: made.height, channels: 1 }, left: layerOffset?.left ?? 0, top: layerOffset?.top ?? 0 }])
      .greyscale().raw().toBuffer();
    return { width: input.width, height: input.height, channels: 1, data: placed };
  }

  return {
    ...spriteImaging(deps),

    /** The image and mask a step's backend gets: masks built or checked, an EXTRACT limited to its mask, a REFRAME's canvas. */
    async prepareSceneStep(request: PrepareRequest): Promise<PreparedStep> {
      const input = await sizeOf(request.input);
      if (request.type === 'REFRAME') {
        const aspect = parseAspect(request.aspect ?? '');
        if (!aspect) throw ApplicationFailure.nonRetryable(`step ${request.stepId} has no aspect ratio such as "16:9"`, 'BadPlan');
        const reframe = reframeGeometry(input.width, input.height, aspect, request.snap ?? 1);
        if (!request.padCanvas) return { image: request.input, reframe };
        const padded = await sharp({ create: { width: reframe.width, height: reframe.height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
          .composite([{ input: await files.read(request.input), left: reframe.left, top: reframe.top }]).png().toBuffer();
        const outside = await sharp({ create: { width: reframe.width, height: reframe.height, channels: 3, background: '#ffffff' } })
          .composite([{ input: { create: { width: input.width, height: input.height, channels: 3, background: '#000000' } }, left: reframe.left, top: reframe.top }]).png().toBuffer();
        return {
          image: await files.write(request.jobId, 'generations', `${request.name}-canvas.png`, padded, { step: request.stepId }),
          mask: await files.write(request.jobId, 'masks', `${request.name}.png`, outside, { step: request.stepId }),
          reframe,
        };
      }
      const mask = await buildMask(request, input);
      if (!mask) return { image: request.input };
      const maskRef = await files.write(request.jobId, 'masks', `${request.name}.png`, await encodePng(mask), { step: request.stepId, mode: request.mask.manualAssetId ? 'MANUAL' : request.mask.mode });
      // the check of this attempt compares inside and outside this mask: it need not decode the file again
      cached.put(maskKey(maskRef), mask);
      if (request.type !== 'EXTRACT') return { image: request.input, mask: maskRef };
      const limited = await encodePng(whitenOutside(await raster(request.input), mask));
      return { image: await files.write(request.jobId, 'generations', `${request.name}-input.png`, limited, { step: request.stepId }), mask: maskRef };
    },

    /** A background removed (RGBA) flattened on white: the input of an EXTRACT retried after "remove the background". */
    async flattenOnWhite(request: { jobId: string; stepId: string; name: string; image: AssetRef }): Promise<AssetRef> {
      const flat = await sharp(await files.read(request.image)).flatten({ background: '#ffffff' }).png().toBuffer();
      return files.write(request.jobId, 'generations', `${request.name}-nobg.png`, flat, { step: request.stepId });
    },

    /** The step type's pixel check of an output against its input (and mask): see imaging/validate.ts. */
    async validateSceneStep(request: { type: StepType; input: AssetRef; output: AssetRef; mask?: AssetRef; thresholds: StepThresholds; reframe?: { left: number; top: number }; aspect?: string }): Promise<CheckResult> {
      if (!CHECKED_STEP_TYPES.includes(request.type)) throw ApplicationFailure.nonRetryable(`a ${request.type} step has no pixel check`, 'BadPlan');
      const mask = request.mask;
      return checkStepOutput(
        { type: request.type, thresholds: request.thresholds, reframe: request.reframe, aspect: parseAspect(request.aspect ?? '') ?? 1 },
        await files.read(request.output),
        { inputSize: await sizeOf(request.input), input: () => raster(request.input), mask: mask ? () => maskOf(mask) : undefined },
      );
    },

    async exportScene(request: SceneExportInput): Promise<{ zip: AssetRef; ora: AssetRef }> {
      const { zip, ora } = await buildSceneExport(request, (ref) => files.read(ref));
      const refs = {
        zip: await files.writeFile(request.jobId, 'exports', 'scene.zip', zip, 'application/zip'),
        ora: await files.writeFile(request.jobId, 'exports', 'scene.ora', ora, 'image/openraster'),
      };
      await deps.emit(request.jobId, 'scene.exported', { zip: refs.zip.id, ora: refs.ora.id, layers: request.layers.length }, { dedupeKey: 'scene.exported' });
      return refs;
    },
  };
}

export type ImagingActivities = ReturnType<typeof imagingActivities>;
