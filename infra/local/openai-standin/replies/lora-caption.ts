// Captions for the lora pipeline's dataset images (json_schema `lora_caption`): what the image looks like, with
// [trigger] for the character, as a captioning model would write a LoRA training caption.
import type { ReplyGenerator } from './index.ts';
import { describeLook, lookAt } from './vision.ts';

const FRAMINGS = ['portrait', 'half-body shot', 'full-body shot', 'close-up'];
const LIGHT = ['soft light', 'daylight', 'studio light', 'warm evening light'];

export const loraCaption: ReplyGenerator = {
  name: 'lora-caption',
  matches: (view) => view.schema?.name === 'lora_caption',
  async reply(view) {
    if (!view.images.length) return { caption: 'photo of [trigger]' };
    const look = await lookAt(view.images[0]!);
    const framing = look.content && look.content.height > look.height * 0.8 ? FRAMINGS[2]! : FRAMINGS[Math.floor(view.random() * FRAMINGS.length)]!;
    return { caption: `photo of [trigger], ${framing}, ${describeLook(look).replace(/^a (wide|tall|square) picture/, '$1 frame')}, ${LIGHT[Math.floor(view.random() * LIGHT.length)]}` };
  },
};
