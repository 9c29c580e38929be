// POST /v1/images/edits: multipart `image` (or `image[]`), optional `mask` (PNG with alpha, the image's size),
// `prompt`, `model`, `n`, `size`, `response_format`, `output_format`; answers {created, data: [{b64_json}], ...}.
import type { Request, Response } from 'express';
import multer from 'multer';
import sharp from 'sharp';
import crypto from 'node:crypto';
import { sendOpenAiError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { renderEdit } from './edits.ts';

export interface ImageDeps { faults: Faults; log: RequestLog; models: () => string[] }

export const imageUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 50 * 1024 * 1024, files: 17 } })
  .fields([{ name: 'image', maxCount: 16 }, { name: 'image[]', maxCount: 16 }, { name: 'mask', maxCount: 1 }]);

const sha = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** how many pixels a mask opens for editing (fully transparent ones), for tests that check what reached the model */
async function transparentArea(mask: Buffer): Promise<number> {
  const alpha = await sharp(mask).ensureAlpha().extractChannel(3).raw().toBuffer();
  let n = 0;
  for (const value of alpha) if (value < 128) n++;
  return n;
}

export function editsRoute(deps: ImageDeps) {
  return async (req: Request, res: Response) => {
    const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
    const images = [...(files.image ?? []), ...(files['image[]'] ?? [])];
    const mask = files.mask?.[0];
    const body = req.body as Record<string, string | undefined>;
    const model = body.model || 'dall-e-2';
    const fail = (status: number, message: string, param: string | null, code: string | null = null) => {
      deps.log.add({ route: 'images.edits', status, model, prompt: body.prompt, error: message });
      sendOpenAiError(res, status, message, 'invalid_request_error', param, code);
    };
    if (!images.length) return fail(400, "Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
    if (!body.prompt) return fail(400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    if (!deps.models().includes(model)) return fail(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'model', 'model_not_found');
    const n = body.n === undefined ? 1 : Number(body.n);
    if (!Number.isInteger(n) || n < 1 || n > 10) return fail(400, `Invalid 'n': integer between 1 and 10 expected, got ${body.n}.`, 'n', 'invalid_value');
    const fault = deps.faults.take('images');
    if (fault?.kind === 'rate-limit') {
      res.setHeader('retry-after', String(fault.retryAfter));
      return fail(429, `Rate limit reached for ${model}. Please try again in ${fault.retryAfter}s.`, null, 'rate_limit_exceeded');
    }
    if (fault?.kind === 'server-error') return fail(500, 'The server had an error while processing your request. Sorry about that!', null);

    let source;
    try {
      source = await sharp(images[0]!.buffer).metadata();
    } catch {
      return fail(400, `Invalid image file or mode for image 1, please check your image file.`, 'image', 'invalid_image_file');
    }
    const width = source.width ?? 0;
    const height = source.height ?? 0;
    if (mask) {
      let maskMeta;
      try { maskMeta = await sharp(mask.buffer).metadata(); } catch { return fail(400, 'Invalid mask image file, please check your mask file.', 'mask', 'invalid_image_file'); }
      if (!maskMeta.hasAlpha) return fail(400, `Invalid input image - format must be in ['RGBA', 'LA'], got ${maskMeta.channels === 1 ? 'L' : 'RGB'}.`, 'mask', 'invalid_image_format');
      if (maskMeta.width !== width || maskMeta.height !== height) return fail(400, `The mask and the image must have the same dimensions: the image is ${width}x${height}, the mask ${maskMeta.width}x${maskMeta.height}.`, 'mask', 'invalid_image_dimensions');
    }
    let [outWidth, outHeight] = [width, height];
    if (body.size && body.size !== 'auto') {
      const size = /^(\d{2,4})x(\d{2,4})$/.exec(body.size);
      if (!size) return fail(400, `Invalid value: '${body.size}'. Supported values are 'auto' or WIDTHxHEIGHT, such as '1024x1024'.`, 'size', 'invalid_value');
      [outWidth, outHeight] = [Number(size[1]), Number(size[2])];
    }
    const format = (body.output_format ?? 'png') as 'png' | 'jpeg' | 'webp';
    if (!['png', 'jpeg', 'webp'].includes(format)) return fail(400, `Invalid value: '${format}'. Supported values are: 'png', 'jpeg', and 'webp'.`, 'output_format', 'invalid_value');
    if (body.response_format && body.response_format !== 'b64_json') return fail(400, `response_format '${body.response_format}' is not supported by this server: ask for b64_json.`, 'response_format', 'invalid_value');

    const data = [];
    for (let i = 0; i < n; i++) {
      const bytes = await renderEdit({ image: images[0]!.buffer, mask: mask?.buffer, prompt: n > 1 ? `${body.prompt} #${i + 1}` : body.prompt, width: outWidth, height: outHeight, format, background: body.background });
      data.push({ b64_json: bytes.toString('base64') });
    }
    deps.log.add({ route: 'images.edits', status: 200, model, prompt: body.prompt, n, size: `${outWidth}x${outHeight}`, image: sha(images[0]!.buffer), images: images.length, mask: mask ? sha(mask.buffer) : null, maskArea: mask ? await transparentArea(mask.buffer) : null, background: body.background ?? null, fault: fault?.kind });
    res.json({ created: Math.floor(Date.now() / 1000), background: 'opaque', output_format: format, quality: 'medium', size: `${outWidth}x${outHeight}`, data, usage: { input_tokens: 50, output_tokens: 200 * n, total_tokens: 50 + 200 * n, input_tokens_details: { image_tokens: 40, text_tokens: 10 } } });
  };
}
