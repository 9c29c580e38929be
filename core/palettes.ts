// Fixed pixel-art palettes (plain data: the imaging activities map onto them, the UI shows their swatches).
export const FIXED_PALETTES = {
  pico8: {
    label: 'PICO-8', note: 'the fantasy console’s 16 colours',
    colours: ['#000000', '#1d2b53', '#7e2553', '#008751', '#ab5236', '#5f574f', '#c2c3c7', '#fff1e8', '#ff004d', '#ffa300', '#ffec27', '#00e436', '#29adff', '#83769c', '#ff77a8', '#ffccaa'],
  },
  db16: {
    label: 'DB16', note: 'DawnBringer’s 16',
    colours: ['#140c1c', '#442434', '#30346d', '#4e4a4e', '#854c30', '#346524', '#d04648', '#757161', '#597dce', '#d27d2c', '#8595a1', '#6daa2c', '#d2aa99', '#6dc2ca', '#dad45e', '#deeed6'],
  },
  db32: {
    label: 'DB32', note: 'DawnBringer’s 32',
    colours: ['#000000', '#222034', '#45283c', '#663931', '#8f563b', '#df7126', '#d9a066', '#eec39a', '#fbf236', '#99e550', '#6abe30', '#37946e', '#4b692f', '#524b24', '#323c39', '#3f3f74',
      '#306082', '#5b6ee1', '#639bff', '#5fcde4', '#cbdbfc', '#ffffff', '#9badb7', '#847e87', '#696a6a', '#595652', '#76428a', '#ac3232', '#d95763', '#d77bba', '#8f974a', '#8a6f30'],
  },
  nes: {
    label: 'NES', note: 'the console’s 2C02 colours',
    colours: [
      '#7c7c7c', '#0000fc', '#0000bc', '#4428bc', '#940084', '#a80020', '#a81000', '#881400', '#503000', '#007800', '#006800', '#005800', '#004058', '#000000',
      '#bcbcbc', '#0078f8', '#0058f8', '#6844fc', '#d800cc', '#e40058', '#f83800', '#e45c10', '#ac7c00', '#00b800', '#00a800', '#00a844', '#008888',
      '#f8f8f8', '#3cbcfc', '#6888fc', '#9878f8', '#f878f8', '#f85898', '#f87858', '#fca044', '#f8b800', '#b8f818', '#58d854', '#58f898', '#00e8d8', '#787878',
      '#fcfcfc', '#a4e4fc', '#b8b8f8', '#d8b8f8', '#f8b8f8', '#f8a4c0', '#f0d0b0', '#fce0a8', '#f8d878', '#d8f878', '#b8f8b8', '#b8f8d8', '#00fcfc', '#f8d8f8',
    ],
  },
  gameboy: {
    label: 'Game Boy', note: 'the original’s four greens',
    colours: ['#0f380f', '#306230', '#8bac0f', '#9bbc0f'],
  },
} as const satisfies Record<string, { label: string; note: string; colours: readonly string[] }>;

export type FixedPaletteName = keyof typeof FIXED_PALETTES;
export const FIXED_PALETTE_NAMES = Object.keys(FIXED_PALETTES) as FixedPaletteName[];

export type Rgb = [number, number, number];

export function hexToRgb(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbToHex([r, g, b]: Rgb): string {
  return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
}

export const paletteColours = (name: FixedPaletteName): Rgb[] => FIXED_PALETTES[name].colours.map(hexToRgb);
