// The OpenAI-compatible image-edit backend of the scene steps (`images.edit`, with the mask where there is one).
// Models answer at sizes of their own: the result is brought back to the step's size, so the checks compare like
// with like. Safe to retry: the output path depends on the step and attempt only.
import { ApplicationFailure } from '@temporalio/activity';
import { toFile, APIError } from 'openai';
import sharp from 'sharp';
import type { EmitEvent } from './events.ts';
import type { LlmClient } from './llm.ts';
import { activityLlmOptions, asActivityFailure } from './llm-activity.ts';
import type { AssetRef } from '../workflows/messages.ts';
import type { StepType } from '../workflows/scene-plan.ts';
import { sceneAssetWriter, type SceneAssetDeps } from './scene-assets.ts';
import { decodeMask } from './imaging/raster.ts';
import { openAiMask } from './imaging/masks.ts';

export interface ImageEditDeps extends SceneAssetDeps { emit: EmitEvent; llm?: LlmClient; imageModel: string }

export interface EditRequest {
  jobId: string;
  stepId: string;
  /** names the output: `<stepId>-<n>.png` */
  name: string;
  type: StepType;
  image: AssetRef;
  /** white = where to work (our masks); sent as OpenAI's alpha mask */
  mask?: AssetRef;
  prompt: string;
}

export function imageEditActivities(deps: ImageEditDeps) {
  const files = sceneAssetWriter(deps);

  async function editWithOpenAi(request: EditRequest): Promise<AssetRef> {
    if (!deps.llm) throw ApplicationFailure.nonRetryable('no OpenAI-compatible endpoint is configured: set OPENAI_BASE_URL, or choose the comfyui backend', 'LlmConfig');
    const image = await files.read(request.image);
    const mask = request.mask ? await openAiMask(await decodeMask(await files.read(request.mask))) : undefined;
    const options = activityLlmOptions(deps.emit, request.jobId, request.stepId);
    let b64: string | undefined;
    try {
      const answer = await deps.llm.call('image edit', async (signal) => deps.llm!.openai.images.edit({
        model: deps.imageModel,
        image: await toFile(image, 'image.png', { type: 'image/png' }),
        ...(mask ? { mask: await toFile(mask, 'mask.png', { type: 'image/png' }) } : {}),
        prompt: request.prompt,
        size: 'auto',
        ...(request.type === 'BG_REMOVE' ? { background: 'transparent' as const, output_format: 'png' as const } : {}),
      }, { signal }), options);
      b64 = answer.data?.[0]?.b64_json ?? undefined;
    } catch (error) {
      if (error instanceof APIError && error.status === 400) throw ApplicationFailure.nonRetryable(`the image-edit model refused the request: ${error.message}`, 'ImageEditRefused');
      throw asActivityFailure(error);
    }
    if (!b64) throw ApplicationFailure.nonRetryable('the image-edit model answered without an image (no b64_json): check ATELIER_IMAGE_EDIT_MODEL', 'ImageEditEmpty');
    let output = Buffer.from(b64, 'base64');
    const [want, got] = [await sharp(image).metadata(), await sharp(output).metadata()];
    const resized = want.width !== got.width || want.height !== got.height;
    if (resized) output = await sharp(output).resize({ width: want.width, height: want.height, fit: 'fill' }).png().toBuffer();
    else if (got.format !== 'png') output = await sharp(output).png().toBuffer();
    const ref = await files.write(request.jobId, 'layers', `${request.name}.png`, output, { step: request.stepId, backend: 'openai', model: deps.imageModel, resizedFrom: resized ? `${got.width}x${got.height}` : undefined });
    await deps.emit(request.jobId, 'asset.created', { step: request.stepId, assetId: ref.id, path: ref.path, width: ref.width, height: ref.height }, { dedupeKey: `asset:${ref.id}` });
    return ref;
  }

  return { editWithOpenAi };
}

export type ImageEditActivities = ReturnType<typeof imageEditActivities>;
