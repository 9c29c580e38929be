// Animation frames packed left to right, top to bottom into one sheet of fixed cells, the layout Bevy's
// TextureAtlasLayout::from_grid reads (no padding, no offset).
import { blankRaster, blit, type Raster } from './rgba.ts';
import type { AtlasGrid } from '../../core/bevy-atlas.ts';

export function packSheet(frames: Raster[], grid: AtlasGrid): Raster {
  const [tileWidth, tileHeight] = grid.tileSize;
  const sheet = blankRaster(tileWidth * grid.columns, tileHeight * grid.rows);
  for (const [index, frame] of frames.entries()) {
    if (frame.width !== tileWidth || frame.height !== tileHeight) throw new Error(`frame ${index + 1} is ${frame.width}×${frame.height}, not the cell size ${tileWidth}×${tileHeight}`);
    blit(frame, sheet, (index % grid.columns) * tileWidth, Math.floor(index / grid.columns) * tileHeight);
  }
  return sheet;
}
