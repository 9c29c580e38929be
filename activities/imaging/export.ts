// A scene's export: a ZIP (the layers in order, the plate, the source, manifest.json with steps, prompts and metrics)
// and an OpenRaster file (the same layers as a stack with names and offsets). Both written once per job, atomically.
import sharp from 'sharp';
import { zipBuffer } from '../../core/zip.ts';
import type { AssetRef } from '../../workflows/messages.ts';
import { buildOra } from './ora.ts';
import { whiteToAlpha, type PlacedLayer } from './layers.ts';
import { decodeRaster, encodePng } from './raster.ts';

export interface ExportLayer {
  name: string;
  asset: AssetRef;
  /** an EXTRACT result is on white (made transparent here); a BG_REMOVE one has alpha already */
  onWhite: boolean;
  x: number;
  y: number;
}

export interface SceneExportInput {
  jobId: string;
  canvas: { width: number; height: number };
  /** top first */
  layers: ExportLayer[];
  plate: { asset: AssetRef; x: number; y: number };
  source: { asset: AssetRef; x: number; y: number };
  manifest: Record<string, unknown>;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'layer';

export async function buildSceneExport(input: SceneExportInput, read: (ref: AssetRef) => Promise<Buffer>): Promise<{ zip: Buffer; ora: Buffer }> {
  const layerPngs: PlacedLayer[] = [];
  for (const layer of input.layers) {
    const bytes = await read(layer.asset);
    const png = layer.onWhite ? await encodePng(whiteToAlpha(await decodeRaster(bytes))) : await sharp(bytes).ensureAlpha().png().toBuffer();
    layerPngs.push({ name: layer.name, png, x: layer.x, y: layer.y, visible: true });
  }
  const plate = await sharp(await read(input.plate.asset)).ensureAlpha().png().toBuffer();
  const source = await sharp(await read(input.source.asset)).ensureAlpha().png().toBuffer();
  const stack: PlacedLayer[] = [
    ...layerPngs,
    { name: 'Background (clean plate)', png: plate, x: input.plate.x, y: input.plate.y, visible: true },
    { name: 'Original', png: source, x: input.source.x, y: input.source.y, visible: false },
  ];
  const ora = await buildOra(input.canvas, stack);
  const zip = await zipBuffer([
    { name: 'manifest.json', data: JSON.stringify({ ...input.manifest, canvas: input.canvas, layers: input.layers.map((l, i) => ({ file: `layers/${String(i + 1).padStart(2, '0')}-${slug(l.name)}.png`, name: l.name, x: l.x, y: l.y })) }, null, 2) },
    ...layerPngs.map((l, i) => ({ name: `layers/${String(i + 1).padStart(2, '0')}-${slug(l.name)}.png`, data: l.png, store: true })),
    { name: 'plate.png', data: plate, store: true },
    { name: 'source.png', data: source, store: true },
  ]);
  return { zip, ora };
}
