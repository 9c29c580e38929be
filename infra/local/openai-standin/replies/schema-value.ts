// A value that satisfies a JSON schema (the subset zod and OpenAI's structured outputs use), drawn deterministically:
// the reply of last resort for a json_schema request no task generator claims.
import { between, pick, type Random } from './random.ts';
import { phrase, sentence, titleCase } from './words.ts';
import type { JsonSchema } from './request.ts';

interface Context { root: JsonSchema; random: Random; words: string[]; depth: number }

function resolve(schema: JsonSchema, ctx: Context): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current?.$ref === 'string' && hops < 16; hops++) {
    const path = current.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    current = path.reduce((node: any, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], ctx.root) ?? {};
  }
  return current;
}

function stringFor(name: string, schema: JsonSchema, ctx: Context): string {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 400;
  let value: string;
  if (schema.format === 'date-time') value = '2026-01-01T00:00:00Z';
  else if (/(^|_)id$|Id$/.test(name)) value = `${name.replace(/Id$|_id$/, '') || 'item'}-${between(ctx.random, 1, 999)}`;
  else if (/name|title|label/i.test(name)) value = titleCase(phrase(ctx.random, ctx.words, between(ctx.random, 1, 3)));
  else value = sentence(ctx.random, ctx.words, between(ctx.random, 5, 14));
  while (value.length < min) value += ' ' + phrase(ctx.random, ctx.words, 2);
  return value.slice(0, max);
}

function numberFor(schema: JsonSchema, ctx: Context, integer: boolean): number {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : 0);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : Math.max(low, 0) + 10);
  if (integer) return between(ctx.random, Math.ceil(low), Math.floor(high));
  return Math.round((low + ctx.random() * (high - low)) * 1000) / 1000;
}

export function valueFor(schema: JsonSchema, ctx: Context, name = 'value'): unknown {
  const s = resolve(schema, ctx);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return pick(ctx.random, s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives)) {
    const concrete = alternatives.filter((a: JsonSchema) => resolve(a, ctx).type !== 'null');
    return valueFor(pick(ctx.random, concrete.length ? concrete : alternatives), ctx, name);
  }
  if (Array.isArray(s.allOf)) return valueFor(Object.assign({}, ...s.allOf.map((a: JsonSchema) => resolve(a, ctx))), ctx, name);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') ?? 'null' : s.type ?? (s.properties ? 'object' : s.items ? 'array' : 'string');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(s.required ?? []);
      for (const [key, child] of Object.entries<JsonSchema>(s.properties ?? {})) {
        if (required.has(key) || (ctx.depth < 4 && ctx.random() < 0.5)) out[key] = valueFor(child, { ...ctx, depth: ctx.depth + 1 }, key);
      }
      return out;
    }
    case 'array': {
      const count = between(ctx.random, s.minItems ?? 1, Math.min(s.maxItems ?? 4, (s.minItems ?? 1) + 3));
      return Array.from({ length: count }, () => valueFor(s.items ?? {}, { ...ctx, depth: ctx.depth + 1 }, name.replace(/s$/, '')));
    }
    case 'integer': return numberFor(s, ctx, true);
    case 'number': return numberFor(s, ctx, false);
    case 'boolean': return ctx.random() < 0.5;
    case 'null': return null;
    default: return stringFor(name, s, ctx);
  }
}

export function schemaValue(schema: JsonSchema, random: Random, words: string[]): unknown {
  return valueFor(schema, { root: schema, random, words, depth: 0 });
}
