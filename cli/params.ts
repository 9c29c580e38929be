// `--param name=value` for any parameter a template declares: the value is read after the parameter's type
// (GET /api/templates), so `--param steps=30` sends a number and `--param upscale` turns a toggle on.
import { CliError, type ApiClient } from './api-client.ts';

interface ParameterInfo { name: string; type: string }
interface TemplateInfo { id: string; parameters: ParameterInfo[] }

const TRUE = ['true', 'on', 'yes', '1'];
const FALSE = ['false', 'off', 'no', '0'];

export function parseParam(text: string, parameters: ParameterInfo[]): [string, string | number | boolean] {
  const at = text.indexOf('=');
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  const raw = at < 0 ? undefined : text.slice(at + 1);
  if (!name) throw new CliError(`--param needs a name: --param name=value (got "${text}")`, 2);
  const type = parameters.find((p) => p.name === name)?.type;
  if (type === 'toggle' || type === 'boolean') {
    if (raw === undefined || TRUE.includes(raw.toLowerCase())) return [name, true];
    if (FALSE.includes(raw.toLowerCase())) return [name, false];
    throw new CliError(`--param ${name} is ${type === 'toggle' ? 'a toggle' : 'true or false'}: write ${name}=true or ${name}=false (got "${raw}")`, 2);
  }
  if (raw === undefined) throw new CliError(`--param ${name} needs a value: --param ${name}=<value>`, 2);
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    if (!raw.trim() || !Number.isFinite(n)) throw new CliError(`--param ${name} is a ${type === 'integer' ? 'whole number' : 'number'}; got "${raw}"`, 2);
    return [name, n];
  }
  // text, a model file, an image's asset id, a combo option; an undeclared name goes as text and the API names it
  return [name, raw];
}

export async function templateParams(api: ApiClient, template: string | undefined, given: string[]): Promise<Record<string, string | number | boolean> | undefined> {
  if (!given.length) return undefined;
  const { templates } = await api.get<{ templates: TemplateInfo[] }>('/api/templates');
  const id = template ?? 'txt2img';
  const found = templates.find((t) => t.id === id);
  if (!found) throw new CliError(`no template "${id}": atelier templates lists them`, 2);
  return Object.fromEntries(given.map((text) => parseParam(text, found.parameters)));
}
