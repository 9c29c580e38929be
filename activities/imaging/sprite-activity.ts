// The sprites pipeline's pixel step as an activity (exported through activities/imaging.ts): generated frames →
// a sprite or sheet at grid size and its previews. Safe to retry: the same input writes the same files and rows.
import { ApplicationFailure } from '@temporalio/activity';
import { assetIdFor, sha256, type Store } from '../../core/store.ts';
import type { AssetRepository } from '../../db/assets.ts';
import type { EmitEvent } from '../events.ts';
import type { AssetRef } from '../../workflows/messages.ts';
import { pixelate, type ResolvedPalette } from './pixelate.ts';
import { encodePng, type Raster } from './rgba.ts';
import { PaletteError, readPaletteImage } from './palette.ts';
import { paletteColours } from '../../core/palettes.ts';
import type { PaletteChoice } from '../../core/sprites-input.ts';
import type { AtlasGrid } from '../../core/bevy-atlas.ts';

export interface SpriteImagingDeps { store: Store; assets: AssetRepository; emit: EmitEvent }

export interface PixelateSpriteInput {
  jobId: string;
  spriteId: string;
  attempt: number;
  /** store-relative paths of the generated frames, in order */
  sources: string[];
  grid: number;
  tile: boolean;
  ground: boolean;
  tolerance: number;
  margin: number;
  softAlpha: boolean;
  outline: boolean;
  palette: PaletteChoice;
}

export interface PixelatedSprite {
  sprite: AssetRef;
  preview: AssetRef;
  tilePreview?: AssetRef;
  previewFactor: number;
  atlas?: AtlasGrid;
  colours: number;
  keyedShare: number;
  seams?: { ratio: number; seamless: boolean };
  notes: string[];
}

export function spriteImaging(deps: SpriteImagingDeps) {
  async function store(input: PixelateSpriteInput, suffix: string, raster: Raster, meta: Record<string, unknown>): Promise<AssetRef> {
    const bytes = await encodePng(raster);
    const relativePath = deps.store.relativeAssetPath(input.jobId, 'sprites', `${input.spriteId}-a${input.attempt}${suffix}.png`);
    await deps.store.writeAtomic(relativePath, bytes);
    const ref: AssetRef = { id: assetIdFor(relativePath), path: relativePath, kind: 'sprites', mime: 'image/png', width: raster.width, height: raster.height };
    await deps.assets.upsert({ id: ref.id, jobId: input.jobId, kind: 'sprites', relativePath, sha256: sha256(bytes), bytes: bytes.length, width: raster.width, height: raster.height, mime: 'image/png', meta: { sprite: input.spriteId, attempt: input.attempt, ...meta } });
    return ref;
  }

  async function resolvePalette(choice: PaletteChoice): Promise<ResolvedPalette> {
    if (choice.kind === 'auto') return choice;
    if (choice.kind === 'fixed') return { kind: 'list', colours: paletteColours(choice.name) };
    const asset = await deps.assets.get(choice.assetId);
    if (!asset) throw ApplicationFailure.nonRetryable(`no asset "${choice.assetId}" for the palette: upload the palette PNG (POST /api/uploads) and pass its id`, 'BadInput');
    return { kind: 'list', colours: await readPaletteImage(await deps.store.read(asset.relativePath)) };
  }

  return {
    /** Generated frames → one sprite (or sheet) at grid size, its pixel-exact preview, and a tile's 3 × 3 preview. */
    async pixelateSprite(input: PixelateSpriteInput): Promise<PixelatedSprite> {
      let result;
      try {
        const sources = await Promise.all(input.sources.map((path) => deps.store.read(path)));
        result = await pixelate(sources, { grid: input.grid, tile: input.tile, ground: input.ground, tolerance: input.tolerance, margin: input.margin, softAlpha: input.softAlpha, outline: input.outline, palette: await resolvePalette(input.palette) });
      } catch (error) {
        if (error instanceof PaletteError) throw ApplicationFailure.nonRetryable(error.message, 'BadPalette');
        throw error;
      }
      const role = result.atlas ? 'sheet' : 'sprite';
      const out: PixelatedSprite = {
        sprite: await store(input, '', result.sprite, { role, atlas: result.atlas ?? null }),
        preview: await store(input, '-preview', result.preview, { role: 'preview', factor: result.previewFactor }),
        previewFactor: result.previewFactor, atlas: result.atlas, colours: result.colours, keyedShare: result.keyedShare, notes: result.notes,
        seams: result.seams ? { ratio: result.seams.ratio, seamless: result.seams.seamless } : undefined,
      };
      if (result.tilePreview) out.tilePreview = await store(input, '-tile3x3', result.tilePreview, { role: 'tile-preview' });
      await deps.emit(input.jobId, 'sprite.pixelated', { sprite: input.spriteId, attempt: input.attempt, assetId: out.sprite.id, previewId: out.preview.id, width: result.sprite.width, height: result.sprite.height, colours: result.colours, notes: result.notes },
        { dedupeKey: `sprite.pixelated:${input.spriteId}:${input.attempt}` });
      return out;
    },
  };
}
