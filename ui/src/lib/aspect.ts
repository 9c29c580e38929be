// Aspect-ratio presets: sizes around one megapixel, both sides multiples of 8 within what the API accepts.
export const TARGET_PIXELS = 1024 * 1024;
export const SIDE_STEP = 8;
export const MIN_SIDE = 64;
export const MAX_SIDE = 2048;

export interface ImageSize { width: number; height: number }

export interface AspectPreset extends ImageSize {
  id: string;
  label: string;
  use: string;
}

export function snapSide(pixels: number): number {
  const snapped = Math.round(pixels / SIDE_STEP) * SIDE_STEP;
  return Math.min(MAX_SIDE, Math.max(MIN_SIDE, snapped));
}

export function sizeForRatio(across: number, down: number, targetPixels = TARGET_PIXELS): ImageSize {
  if (!(across > 0 && down > 0)) throw new RangeError(`an aspect ratio needs two positive numbers, not ${across}:${down}`);
  return {
    width: snapSide(Math.sqrt((targetPixels * across) / down)),
    height: snapSide(Math.sqrt((targetPixels * down) / across)),
  };
}

const preset = (across: number, down: number, use: string): AspectPreset => ({
  id: `${across}:${down}`, label: `${across}:${down}`, use, ...sizeForRatio(across, down),
});

export const ASPECT_PRESETS: readonly AspectPreset[] = [
  preset(1, 1, 'Square'),
  preset(4, 3, 'Landscape'),
  preset(3, 4, 'Portrait'),
  preset(16, 9, 'Widescreen'),
  preset(9, 16, 'Phone screen'),
  preset(3, 2, 'Photo'),
  preset(2, 3, 'Photo, upright'),
];

export const DEFAULT_ASPECT = '1:1';

export function aspectPreset(id: string): AspectPreset {
  return ASPECT_PRESETS.find((p) => p.id === id) ?? ASPECT_PRESETS[0]!;
}

export function megapixels({ width, height }: ImageSize): string {
  return `${((width * height) / 1_000_000).toFixed(1)} MP`;
}
