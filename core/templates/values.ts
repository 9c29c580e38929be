// A job's values against what its template declares: each name declared, each value of the declared type and
// within the manifest's min/max/options, a toggle's parameters only while it is on, its images present.
// The server's own limits (/object_info) are checked in server.ts. Errors name the parameter and what it allows.
import { TemplateError, type ComfyTemplate, type TemplateParameter } from './manifest.ts';
import { parameterInUse, togglesOn } from './graph.ts';

export const MAX_TEXT_CHARS = 4000;
const ASSET_ID = /^a_[0-9a-f]{24}$/;

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

export function describeRange(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  return min !== undefined ? `${min} or more` : `${max} or less`;
}

/** What is wrong with this value for this parameter, in words naming it and what it allows; undefined when it fits. */
export function parameterProblem(name: string, parameter: TemplateParameter, value: unknown): string | undefined {
  const got = `; got ${JSON.stringify(value)?.slice(0, 80)}`;
  switch (parameter.type) {
    case 'string':
    case 'combo':
      if (typeof value !== 'string' && !(parameter.type === 'combo' && typeof value === 'number')) return `${name} must be text${got}`;
      if (typeof value === 'string' && value.length > MAX_TEXT_CHARS) return `${name} is longer than ${MAX_TEXT_CHARS} characters: shorten it`;
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${name} must be a whole number${got}`;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number${got}`;
      break;
    case 'boolean':
    case 'toggle':
      if (typeof value !== 'boolean') return `${name} must be true or false${got}`;
      break;
    case 'model':
      if (typeof value !== 'string' || !value.trim() || value.length > 200) return `${name} must be the file name of a model on the ComfyUI server${got}`;
      break;
    case 'image':
      if (typeof value !== 'string' || !ASSET_ID.test(value)) return `${name} must be an asset id (a_ and 24 hex digits) of an image from a job's assets${got}`;
      break;
  }
  if (typeof value === 'number' && (parameter.min !== undefined && value < parameter.min || parameter.max !== undefined && value > parameter.max)) {
    return `${name} must be ${describeRange(parameter.min, parameter.max)}${got}`;
  }
  if (parameter.options && !parameter.options.includes(value as string | number)) return `${name} must be one of ${quoted(parameter.options)}${got}`;
  return undefined;
}

/** Checks the values a job gives its template; throws a TemplateError naming the parameter. */
export function checkTemplateValues(template: ComfyTemplate, values: Record<string, unknown>): void {
  const parameters = template.manifest.parameters;
  const on = togglesOn(template, values);
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const parameter = parameters[name];
    if (!parameter) throw new TemplateError(`template "${template.id}" has no parameter "${name}": its parameters are ${Object.keys(parameters).join(', ')}`);
    const problem = parameterProblem(name, parameter, value);
    if (problem) throw new TemplateError(problem);
    if (!parameterInUse(template, name, on)) {
      const toggle = parameters[parameter.toggle!]!;
      throw new TemplateError(`${name} belongs to ${toggle.label ?? parameter.toggle}, which is off: turn on ${parameter.toggle} or leave ${name} out`);
    }
  }
  for (const [name, parameter] of Object.entries(parameters)) {
    if (parameter.type !== 'image' || parameter.default !== undefined || values[name] !== undefined || !parameterInUse(template, name, on)) continue;
    const what = parameter.toggle ? `${parameters[parameter.toggle]!.label ?? parameter.toggle} needs` : `template "${template.id}" needs`;
    throw new TemplateError(`${what} ${parameter.label ? `a ${parameter.label.toLowerCase()}` : 'an image'}: pass "${name}": "<asset id>" (an image of an earlier job)`);
  }
}

/** The asset ids a job's values hand to image parameters in use (to check they exist, and to upload them). */
export function imageValues(template: ComfyTemplate, values: Record<string, unknown>): [string, string][] {
  const on = togglesOn(template, values);
  return Object.entries(template.manifest.parameters)
    .filter(([name, p]) => p.type === 'image' && typeof values[name] === 'string' && parameterInUse(template, name, on))
    .map(([name]) => [name, values[name] as string]);
}
