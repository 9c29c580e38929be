// Deterministic randomness: the same request gives the same reply.
import crypto from 'node:crypto';

export type Random = () => number;

export function seedOf(...parts: unknown[]): number {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32LE(0);
}

/** mulberry32 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
export const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
