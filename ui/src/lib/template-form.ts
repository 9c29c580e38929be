// A template's own parameters as form fields: the toggles of a built-in template (with the parameters each one
// brings) and, for a user's template, every parameter it declares. Values the person sets go out as `params`.
import type { Template, TemplateParameter } from './types.ts';

export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

/** handled by the generate form's own fields (prompt box, seed), not by a generated field */
const OWN_FIELDS = new Set(['prompt', 'seed']);
const ASSET_ID = /^a_[0-9a-f]{24}$/;

export const labelOf = (p: TemplateParameter) => p.label || p.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
export const fieldId = (name: string) => `param-${name}`;

export function togglesOf(template: Template | undefined): TemplateParameter[] {
  return template?.parameters.filter((p) => p.type === 'toggle') ?? [];
}

export function toggleParameters(template: Template | undefined, toggle: string): TemplateParameter[] {
  return template?.parameters.filter((p) => p.toggle === toggle) ?? [];
}

/** What a user's template shows as fields: every parameter but the prompt and seed (the form's own) and toggles' parts. */
export function ownParameters(template: Template | undefined): TemplateParameter[] {
  return template?.parameters.filter((p) => !OWN_FIELDS.has(p.name) && !p.toggle) ?? [];
}

export const isOn = (values: ParamValues, toggle: TemplateParameter) => (values[toggle.name] ?? toggle.default) === true;

/**
 * What the fields start with: the manifest's defaults, so sliders and choices show them. Not for a model file
 * (a default the server lacks is swapped for one it has, which a value sent on purpose would not be), an image,
 * or a toggle (off until turned on).
 */
export function initialValues(template: Template | undefined): ParamValues {
  const values: ParamValues = {};
  for (const p of template?.parameters ?? []) {
    if (['model', 'image', 'toggle'].includes(p.type) || OWN_FIELDS.has(p.name)) continue;
    if (typeof p.default === 'string' || typeof p.default === 'number' || typeof p.default === 'boolean') values[p.name] = p.default;
  }
  return values;
}

/** The parameters in use: toggles that are off leave out their parts. */
function inUse(template: Template, values: ParamValues, fields: TemplateParameter[]): TemplateParameter[] {
  return fields.flatMap((p) => (p.type === 'toggle' ? (isOn(values, p) ? [p, ...toggleParameters(template, p.name)] : []) : [p]));
}

/** Field id → what to fix, for the values set; empty when they can be sent. */
export function paramProblems(template: Template | undefined, values: ParamValues, fields: TemplateParameter[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!template) return problems;
  for (const p of inUse(template, values, fields)) {
    const value = values[p.name];
    const label = labelOf(p);
    if (p.type === 'toggle') {
      if (p.available === false) problems[fieldId(p.name)] = p.unavailable ?? `${label} cannot run on this pool.`;
      continue;
    }
    if (value === undefined || value === null || value === '') {
      if (p.type === 'image' && p.default == null) problems[fieldId(p.name)] = `${label} needs an image: paste the asset id (a_…) of an image from a job.`;
      continue;
    }
    if (p.type === 'image' && !ASSET_ID.test(String(value))) problems[fieldId(p.name)] = `${label} must be an asset id: a_ and 24 hex digits, from a job's images.`;
    if (p.type === 'integer' && !Number.isInteger(value)) problems[fieldId(p.name)] = `${label} must be a whole number.`;
    if ((p.type === 'integer' || p.type === 'number') && typeof value === 'number') {
      if (!Number.isFinite(value)) problems[fieldId(p.name)] = `${label} must be a number.`;
      else if (p.min != null && value < p.min || p.max != null && value > p.max) problems[fieldId(p.name)] = `${label} must be ${p.min ?? '…'} to ${p.max ?? '…'}.`;
    }
    if (p.options?.length && p.type !== 'model' && !p.options.includes(value as string | number)) problems[fieldId(p.name)] = `Choose one of the ${label.toLowerCase()} options.`;
  }
  return problems;
}

/** The `params` of the request: what is set and in use (a toggle that is on, its parts, a user template's fields). */
export function paramsRequest(template: Template | undefined, values: ParamValues, fields: TemplateParameter[]): ParamValues | undefined {
  if (!template) return undefined;
  const out: ParamValues = {};
  for (const p of inUse(template, values, fields)) {
    const value = p.type === 'toggle' ? true : values[p.name];
    if (value === undefined || value === null || value === '') continue;
    out[p.name] = typeof value === 'string' ? value.trim() : value;
  }
  return Object.keys(out).length ? out : undefined;
}
