// What ComfyUI's /object_info says about one node input: a widget (INT, FLOAT, STRING, BOOLEAN, COMBO with its
// options and limits) or a link type. Combos come in two shapes: `[["a","b"], {…}]` and `["COMBO", {options}]`.
import type { ObjectInfo } from './client.ts';

export interface InputSpec {
  kind: 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'COMBO' | 'LINK';
  /** the link type (MODEL, IMAGE, …) or the widget type */
  type: string;
  min?: number;
  max?: number;
  step?: number;
  options?: (string | number)[];
  default?: unknown;
}

const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function parseInputSpec(spec: unknown): InputSpec | undefined {
  if (!Array.isArray(spec) || spec.length === 0) return undefined;
  const [head, rawConfig] = spec as [unknown, unknown];
  const config = (rawConfig && typeof rawConfig === 'object' ? rawConfig : {}) as Record<string, unknown>;
  const base = { default: config.default };
  if (Array.isArray(head)) return { ...base, kind: 'COMBO', type: 'COMBO', options: head as (string | number)[] };
  if (head === 'COMBO') return { ...base, kind: 'COMBO', type: 'COMBO', options: Array.isArray(config.options) ? config.options as (string | number)[] : [] };
  if (head === 'INT' || head === 'FLOAT') return { ...base, kind: head, type: head, min: finite(config.min), max: finite(config.max), step: finite(config.step) };
  if (head === 'STRING' || head === 'BOOLEAN') return { ...base, kind: head, type: head };
  return typeof head === 'string' ? { kind: 'LINK', type: head } : undefined;
}

export function inputSpec(info: ObjectInfo, classType: string, input: string): InputSpec | undefined {
  const node = info[classType]?.input;
  return parseInputSpec(node?.required?.[input] ?? node?.optional?.[input]);
}
