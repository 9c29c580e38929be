// OpenRaster (.ora): a ZIP whose first entry is `mimetype` (stored, "image/openraster", no newline), then stack.xml
// (the layers, top first, with names and offsets), the layer PNGs under data/, mergedimage.png and
// Thumbnails/thumbnail.png (at most 256 × 256). Krita, GIMP and MyPaint open it as layers.
import sharp from 'sharp';
import { zipBuffer, type ZipEntry } from '../../core/zip.ts';
import { mergeLayers, type PlacedLayer } from './layers.ts';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function stackXml(canvas: { width: number; height: number }, layers: { name: string; src: string; x: number; y: number; visible: boolean }[]): string {
  const lines = layers.map((l) => `    <layer name="${escapeXml(l.name)}" src="${l.src}" x="${l.x}" y="${l.y}" opacity="1.0" visibility="${l.visible ? 'visible' : 'hidden'}" composite-op="svg:src-over" />`);
  return `<?xml version='1.0' encoding='UTF-8'?>\n<image version="0.0.5" w="${canvas.width}" h="${canvas.height}" xres="72" yres="72">\n  <stack>\n${lines.join('\n')}\n  </stack>\n</image>\n`;
}

/** The .ora bytes for a stack of layers (top first). */
export async function buildOra(canvas: { width: number; height: number }, stack: PlacedLayer[]): Promise<Buffer> {
  const merged = await mergeLayers(canvas, stack);
  const thumbnail = await sharp(merged).resize({ width: 256, height: 256, fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  const files = stack.map((layer, index) => ({ layer, src: `data/layer${String(index + 1).padStart(2, '0')}.png` }));
  const entries: ZipEntry[] = [
    { name: 'mimetype', data: 'image/openraster', store: true },
    { name: 'stack.xml', data: stackXml(canvas, files.map(({ layer, src }) => ({ name: layer.name, src, x: layer.x, y: layer.y, visible: layer.visible }))) },
    ...files.map(({ layer, src }) => ({ name: src, data: layer.png, store: true })),
    { name: 'mergedimage.png', data: merged, store: true },
    { name: 'Thumbnails/thumbnail.png', data: thumbnail, store: true },
  ];
  return zipBuffer(entries);
}
