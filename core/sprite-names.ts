// Safe file names for sprites and where each lands under a Bevy project's assets/: a prompt or a name a person typed
// becomes lowercase letters, digits and underscores, never a path.
import type { SpriteCategory } from './sprites-input.ts';

/** assets/<folder>/<name>.png, so `asset_server.load("sprites/knight.png")` loads a character */
export const CATEGORY_FOLDERS: Record<SpriteCategory, string> = { character: 'sprites', item: 'items', tile: 'tiles', effect: 'effects' };

const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'with', 'and', 'in', 'on', 'at', 'for', 'to', 'from', 'very', 'some']);
// names Windows refuses for files (a game's assets travel between machines)
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
export const MAX_NAME_CHARS = 40;

/** "A medieval Knight (blue) — walk/../../etc" → "medieval_knight_blue_walk_etc" */
export function spriteSlug(text: string, fallback = 'sprite'): string {
  const words = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .split(/[^a-z0-9]+/).filter(Boolean);
  const meaningful = words.filter((w) => !STOP_WORDS.has(w));
  let slug = '';
  for (const word of meaningful.length ? meaningful : words) {
    const next = slug ? `${slug}_${word}` : word;
    if (next.length > MAX_NAME_CHARS) break;
    slug = next;
  }
  if (!slug) slug = (meaningful[0] ?? words[0] ?? '').slice(0, MAX_NAME_CHARS);
  if (!slug) return fallback;
  return RESERVED.test(slug) ? `${slug}_sprite` : slug;
}

export interface NamedSprite { id: string; baseName: string; category: SpriteCategory }

/**
 * A file name per sprite: its base name, `_2`, `_3`… for further sprites of the same name and folder (variants),
 * in the order given, so the same selection always gets the same names.
 */
export function uniqueSpriteNames(sprites: NamedSprite[]): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const sprite of sprites) {
    const folder = CATEGORY_FOLDERS[sprite.category];
    let name = sprite.baseName;
    for (let n = 2; taken.has(`${folder}/${name}`); n++) name = `${sprite.baseName}_${n}`;
    taken.add(`${folder}/${name}`);
    names.set(sprite.id, name);
  }
  return names;
}

/** the path under assets/ (what asset_server.load takes) */
export const assetPathFor = (category: SpriteCategory, name: string, suffix = '.png') => `${CATEGORY_FOLDERS[category]}/${name}${suffix}`;
