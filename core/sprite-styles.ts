// The sprites pipeline's choices as plain data (the UI shows them; core/sprites-input.ts checks them): categories,
// grids, and the styles that set the template, the LoRA, the target grid and the palette size.
export const SPRITE_CATEGORIES = ['character', 'item', 'tile', 'effect'] as const;
export type SpriteCategory = (typeof SPRITE_CATEGORIES)[number];
export const SPRITE_GRIDS = [16, 32, 48, 64] as const;
export const MAX_SPRITE_IMAGES = 256;

/** the pixel-art LoRA the styles use (nerijs/pixel-art-xl); the demo ComfyUI has one of that name */
export const PIXEL_LORA = 'pixel-art-xl.safetensors';

export const SPRITE_STYLES = {
  '8bit': { label: '8-bit', grid: 16, colours: 8, template: 'txt2img', lora: PIXEL_LORA, loraStrength: 1.2, words: '8-bit NES-era pixel art, very few colours, chunky pixels' },
  '16bit': { label: '16-bit', grid: 32, colours: 16, template: 'txt2img', lora: PIXEL_LORA, loraStrength: 1, words: '16-bit SNES-era pixel art, clean shading' },
  '32bit': { label: '32-bit', grid: 64, colours: 32, template: 'txt2img', lora: PIXEL_LORA, loraStrength: 0.9, words: '32-bit era detailed pixel art, rich shading' },
} as const;
export type SpriteStyleName = keyof typeof SPRITE_STYLES;
export const SPRITE_STYLE_NAMES = Object.keys(SPRITE_STYLES) as SpriteStyleName[];

/** what each category asks the model for, and whether its background is keyed out */
export const CATEGORY_WORDS: Record<SpriteCategory, { words: string; keyBackground: boolean }> = {
  character: { words: 'game character sprite, full body, centered, isolated on a plain white background', keyBackground: true },
  item: { words: 'game item icon, single object, centered, isolated on a plain white background', keyBackground: true },
  tile: { words: 'seamless tileable texture, top-down game tile, fills the whole frame', keyBackground: false },
  effect: { words: 'game visual effect sprite, centered, isolated on a plain white background', keyBackground: true },
};
export const SPRITE_NEGATIVE = 'blurry, photo, 3d render, gradient background, shadow on the ground, text, watermark, frame, border';
