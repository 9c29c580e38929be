// Auto-captions for dataset images from the vision LLM (the OpenAI-compatible endpoint): one short training caption
// per image, with `[trigger]` where the character is, as LoRA captions are written.
import sharp from 'sharp';
import { z } from 'zod';
import type { LlmCallOptions, LlmClient } from './llm.ts';

export const captionReplySchema = z.object({ caption: z.string().trim().min(3, 'the caption is too short').max(300, 'the caption is longer than 300 characters') });

export const CAPTION_SYSTEM = [
  'You write captions for the training images of a LoRA (a small model that learns one character).',
  'Write one short caption (under 30 words) describing what is visible: pose, framing, clothing, setting, light.',
  'Call the character [trigger] (literally, with the brackets); never name or guess who it is. No file paths, no slashes.',
].join(' ');

/** The image the LLM sees: at most 512 px, JPEG, so a request stays small whatever was uploaded. */
export const imageForCaption = (bytes: Buffer) => sharp(bytes).rotate().resize({ width: 512, height: 512, fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();

export async function captionImage(llm: LlmClient, bytes: Buffer, character: { name: string; description: string }, options: LlmCallOptions = {}): Promise<string> {
  const { value } = await llm.completeJson({
    name: 'lora_caption',
    schema: captionReplySchema,
    system: CAPTION_SYSTEM,
    user: `Caption this training image of the character "${character.name}"${character.description ? ` (${character.description.slice(0, 300)})` : ''}.`,
    images: [await imageForCaption(bytes)],
    check: (reply) => (/[/\\]/.test(reply.caption) ? ['the caption contains a slash: describe the image in words only'] : []),
  }, options);
  const caption = value.caption.replace(/\s+/g, ' ').trim();
  return caption.includes('[trigger]') ? caption : `[trigger], ${caption}`;
}
