// Words for generated text: the request's own words first, so a reply reads as if it were about the request.
import { pick, type Random } from './random.ts';

const STOP = new Set(['the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'is', 'are', 'be', 'it', 'this', 'that', 'as', 'at', 'by', 'from', 'your', 'you', 'json', 'reply', 'only']);
const VOCABULARY = ['amber', 'lantern', 'harbour', 'quiet', 'stone', 'river', 'copper', 'misty', 'tower', 'garden', 'silver', 'path', 'ember', 'willow', 'crimson', 'bridge', 'meadow', 'shadow', 'glass', 'forest'];

export function wordsOf(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? [])].filter((w) => !STOP.has(w));
}

export function phrase(random: Random, pool: string[], count: number): string {
  const words = pool.length >= 4 ? pool : [...pool, ...VOCABULARY];
  return Array.from({ length: count }, () => pick(random, words)).join(' ');
}

export function sentence(random: Random, pool: string[], count = 8): string {
  const text = phrase(random, pool, count);
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

export const titleCase = (text: string) => text.replace(/\b[a-z]/g, (c) => c.toUpperCase());
