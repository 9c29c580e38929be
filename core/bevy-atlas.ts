// A sprite sheet's layout as the parameters of Bevy's `TextureAtlasLayout::from_grid(tile_size: UVec2, columns: u32,
// rows: u32, padding: Option<UVec2>, offset: Option<UVec2>)` (crates/bevy_image/src/texture_atlas.rs), written as
// JSON and as RON in the shapes serde gives those types (UVec2 as a pair), plus the Rust lines that load it.
export interface AtlasGrid {
  tileSize: [number, number];
  columns: number;
  rows: number;
  padding: [number, number] | null;
  offset: [number, number] | null;
  /** cells holding a frame, left to right, top to bottom (the last row may be short) */
  frames: number;
}

/** Columns and rows for n frames: one row up to 8 frames, then rows of 8 at most, as square as it fits. */
export function gridFor(frames: number, tile: number): AtlasGrid {
  const columns = frames <= 8 ? frames : Math.ceil(frames / Math.ceil(frames / 8));
  return { tileSize: [tile, tile], columns, rows: Math.ceil(frames / columns), padding: null, offset: null, frames };
}

export function atlasJson(grid: AtlasGrid): string {
  return JSON.stringify({ tile_size: grid.tileSize, columns: grid.columns, rows: grid.rows, padding: grid.padding, offset: grid.offset, frames: grid.frames }, null, 2) + '\n';
}

const ronPair = (pair: [number, number] | null) => (pair ? `Some((${pair[0]}, ${pair[1]}))` : 'None');

export function atlasRon(grid: AtlasGrid): string {
  return [
    '(',
    `    tile_size: (${grid.tileSize[0]}, ${grid.tileSize[1]}),`,
    `    columns: ${grid.columns},`,
    `    rows: ${grid.rows},`,
    `    padding: ${ronPair(grid.padding)},`,
    `    offset: ${ronPair(grid.offset)},`,
    `    frames: ${grid.frames},`,
    ')',
    '',
  ].join('\n');
}

const uvec2 = (pair: [number, number] | null) => (pair ? `Some(UVec2::new(${pair[0]}, ${pair[1]}))` : 'None');

/** the lines a Bevy system writes to use what was deployed (a path under assets/) */
export function loadLines(assetPath: string, grid?: AtlasGrid): string[] {
  const load = `asset_server.load("${assetPath}")`;
  if (!grid) return [load];
  return [
    `let texture = ${load};`,
    `let layout = texture_atlas_layouts.add(TextureAtlasLayout::from_grid(UVec2::new(${grid.tileSize[0]}, ${grid.tileSize[1]}), ${grid.columns}, ${grid.rows}, ${uvec2(grid.padding)}, ${uvec2(grid.offset)}));`,
  ];
}
