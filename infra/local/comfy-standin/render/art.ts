import { createHash } from 'node:crypto';
import { renderSvg, type Pixels } from './pixels.ts';

/** Everything that decides what a "sampled" image looks like. */
export interface ArtRecipe {
  seed: string;
  positive: string;
  negative: string;
  checkpoint: string;
  loras: Array<{ name: string; strength: number }>;
  sampler: string;
  cfg: number;
  steps: number;
  /** an IP-Adapter's reference: its average colour laid over the picture, as strongly as its weight */
  tint?: { rgb: [number, number, number]; weight: number };
}

function rng(key: string): () => number {
  let state = createHash('sha256').update(key).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hsl = (h: number, s: number, l: number) => `hsl(${h.toFixed(1)},${s.toFixed(1)}%,${l.toFixed(1)}%)`;

/** A subject on a flat white background, as a prompt asking for "plain white background" gets from a pixel-art LoRA. */
function subjectSvg(recipe: ArtRecipe, index: number, width: number, height: number): string {
  const rand = rng(`${JSON.stringify([recipe.seed, recipe.positive, recipe.checkpoint, recipe.steps])}|${index}`);
  const mood = rng(recipe.positive.replace(/animation frame \d+ of \d+/, ''));
  const hue = mood() * 360;
  const unit = Math.min(width, height);
  const cx = width / 2 + (rand() - 0.5) * unit * 0.1;
  const cy = height / 2 + (rand() - 0.5) * unit * 0.1;
  const body = unit * (0.18 + rand() * 0.12);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<rect width="${width}" height="${height}" fill="#ffffff"/>`];
  parts.push(`<rect x="${(cx - body / 2).toFixed(1)}" y="${(cy - body * 0.6).toFixed(1)}" width="${body.toFixed(1)}" height="${(body * 1.6).toFixed(1)}" rx="${(body * 0.15).toFixed(1)}" fill="${hsl(hue, 55, 40)}"/>`);
  parts.push(`<circle cx="${cx.toFixed(1)}" cy="${(cy - body * 0.85).toFixed(1)}" r="${(body * 0.42).toFixed(1)}" fill="${hsl((hue + 30) % 360, 45, 62)}"/>`);
  for (let i = 0; i < 4 + Math.floor(rand() * 4); i++) {
    const x = cx + (rand() - 0.5) * body * 1.6;
    const y = cy + (rand() - 0.3) * body * 1.6;
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(body * (0.1 + rand() * 0.25)).toFixed(1)}" fill="${hsl((hue + rand() * 160) % 360, 50 + rand() * 40, 25 + rand() * 45)}"/>`);
  }
  for (const lora of recipe.loras) {
    const mark = rng(lora.name);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${(body * 0.3).toFixed(1)}" fill="none" stroke="${hsl(mark() * 360, 85, 55)}" stroke-width="${(unit * 0.01 * Math.min(Math.abs(lora.strength), 2) + 1).toFixed(1)}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A tileable pattern (a prompt asking for "seamless"): every shape is drawn again across each edge it crosses. */
function seamlessSvg(recipe: ArtRecipe, index: number, width: number, height: number): string {
  const rand = rng(`${JSON.stringify([recipe.seed, recipe.positive, recipe.checkpoint, recipe.steps])}|${index}`);
  const hue = rng(recipe.positive)() * 360;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<rect width="${width}" height="${height}" fill="${hsl(hue, 45, 40)}"/>`];
  const unit = Math.min(width, height);
  for (let i = 0; i < 10 + Math.floor(rand() * 10); i++) {
    const [x, y, r] = [rand() * width, rand() * height, unit * (0.03 + rand() * 0.1)];
    const fill = hsl((hue + rand() * 60 - 30 + 360) % 360, 40 + rand() * 30, 25 + rand() * 40);
    for (const dx of [-width, 0, width]) for (const dy of [-height, 0, height]) parts.push(`<circle cx="${(x + dx).toFixed(1)}" cy="${(y + dy).toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Gradient and shapes from a hash of the recipe: deterministic, no fonts, distinct per seed/prompt/LoRA. */
export function artSvg(recipe: ArtRecipe, index: number, width: number, height: number): string {
  if (/plain white background/i.test(recipe.positive)) return subjectSvg(recipe, index, width, height);
  if (/\bseamless\b/i.test(recipe.positive)) return seamlessSvg(recipe, index, width, height);
  const base = JSON.stringify([recipe.seed, recipe.positive, recipe.negative, recipe.checkpoint, recipe.sampler, recipe.cfg, recipe.steps]);
  const rand = rng(`${base}|${index}`);
  const mood = rng(`${recipe.positive}|${recipe.negative}`);
  const hue = mood() * 360;
  const saturation = 45 + mood() * 40 - Math.min(recipe.negative.length, 40) / 2;
  const angle = rand() * 360;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><linearGradient id="bg" gradientTransform="rotate(${angle.toFixed(1)} .5 .5)">`,
    `<stop offset="0" stop-color="${hsl(hue, saturation, 22 + rand() * 20)}"/>`,
    `<stop offset=".55" stop-color="${hsl((hue + 40 + rand() * 60) % 360, saturation, 45 + rand() * 15)}"/>`,
    `<stop offset="1" stop-color="${hsl((hue + 180 + rand() * 40) % 360, saturation, 70 + rand() * 15)}"/>`,
    `</linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#bg)"/>`,
  ];
  const unit = Math.min(width, height);
  const shapes = 6 + Math.floor(rand() * 9);
  for (let i = 0; i < shapes; i++) {
    const fill = hsl((hue + rand() * 120 - 60 + 360) % 360, 40 + rand() * 50, 30 + rand() * 50);
    const opacity = (0.2 + rand() * 0.5).toFixed(2);
    const x = rand() * width;
    const y = rand() * height;
    const r = unit * (0.04 + rand() * 0.25);
    if (rand() < 0.5) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}" fill-opacity="${opacity}"/>`);
    else {
      const points = Array.from({ length: 3 + Math.floor(rand() * 3) }, () => {
        const a = rand() * Math.PI * 2;
        return `${(x + Math.cos(a) * r * 1.5).toFixed(1)},${(y + Math.sin(a) * r * 1.5).toFixed(1)}`;
      });
      parts.push(`<polygon points="${points.join(' ')}" fill="${fill}" fill-opacity="${opacity}"/>`);
    }
  }
  for (const lora of recipe.loras) {
    const mark = rng(lora.name);
    const strength = Math.min(Math.abs(lora.strength), 2);
    const cx = mark() * width;
    const cy = mark() * height;
    const stroke = hsl(mark() * 360, 85, 60);
    for (let ring = 1; ring <= 4; ring++) {
      parts.push(
        `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${(unit * 0.06 * ring).toFixed(1)}" fill="none" stroke="${stroke}" ` +
          `stroke-width="${(unit * 0.012 * strength + 0.5).toFixed(1)}" stroke-opacity="${(0.3 + 0.3 * Math.min(strength, 1)).toFixed(2)}"/>`,
      );
    }
  }
  if (recipe.tint) {
    const [r, g, b] = recipe.tint.rgb;
    const opacity = Math.min(0.6, Math.max(0, recipe.tint.weight) * 0.4);
    parts.push(`<rect width="${width}" height="${height}" fill="rgb(${r},${g},${b})" fill-opacity="${opacity.toFixed(2)}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export function renderArt(recipe: ArtRecipe, index: number, width: number, height: number): Promise<Pixels> {
  return renderSvg(artSvg(recipe, index, width, height));
}
