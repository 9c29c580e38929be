// ComfyUI templates: API-format graphs with a manifest naming the node inputs each parameter sets.
// Built-in ones live in comfy-templates/, the user's in ATELIER_TEMPLATES_DIR. Parameters are set on the
// parsed graph (never by string substitution), and a manifest that names a node or input its graph lacks is refused.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const BUILTIN_TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'comfy-templates');

export type ComfyLink = [string, number];
export interface ComfyNode { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }
export type ComfyGraph = Record<string, ComfyNode>;

const graphSchema = z.record(z.string(), z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()) }).passthrough());

const manifestSchema = z.object({
  title: z.string().optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.object({
    type: z.enum(['string', 'integer', 'number', 'boolean', 'model', 'image']),
    targets: z.array(z.tuple([z.string(), z.string()])).min(1),
    default: z.unknown().optional(),
    description: z.string().optional(),
    optionalNode: z.string().optional(),
  })),
  /** for an optional node left unset: which link replaces each of its outputs */
  bypass: z.record(z.string(), z.record(z.string(), z.tuple([z.string(), z.number().int()]))).default({}),
});

export type TemplateManifest = z.infer<typeof manifestSchema>;

export interface ComfyTemplate {
  id: string;
  source: 'builtin' | 'user';
  title: string;
  description: string;
  graph: ComfyGraph;
  manifest: TemplateManifest;
}

export interface TemplateLoadError { file: string; error: string }

export class TemplateError extends Error {}

function isLink(value: unknown): value is ComfyLink {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

export function checkManifest(id: string, graph: ComfyGraph, manifest: TemplateManifest): void {
  for (const [name, parameter] of Object.entries(manifest.parameters)) {
    for (const [nodeId, input] of parameter.targets) {
      const node = graph[nodeId];
      if (!node) throw new TemplateError(`template "${id}": parameter "${name}" names node ${nodeId}, which its graph lacks`);
      if (!(input in node.inputs)) throw new TemplateError(`template "${id}": parameter "${name}" names input "${input}" of node ${nodeId} (${node.class_type}), which that node lacks`);
    }
    if (parameter.optionalNode && !graph[parameter.optionalNode]) throw new TemplateError(`template "${id}": parameter "${name}" makes node ${parameter.optionalNode} optional, but its graph lacks that node`);
    if (parameter.optionalNode && !manifest.bypass[parameter.optionalNode]) throw new TemplateError(`template "${id}": node ${parameter.optionalNode} is optional but "bypass" does not say what replaces its outputs`);
  }
  for (const [nodeId, outputs] of Object.entries(manifest.bypass)) {
    for (const [, [target]] of Object.entries(outputs)) {
      if (!graph[target]) throw new TemplateError(`template "${id}": bypass of node ${nodeId} links to node ${target}, which its graph lacks`);
    }
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new TemplateError(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
}

async function loadTemplate(dir: string, id: string, source: ComfyTemplate['source']): Promise<ComfyTemplate> {
  const graphResult = graphSchema.safeParse(await readJson(path.join(dir, `${id}.json`)));
  if (!graphResult.success) throw new TemplateError(`${id}.json is not a ComfyUI graph in API format (export it with "Save (API Format)"): ${graphResult.error.issues[0]?.message}`);
  const manifestResult = manifestSchema.safeParse(await readJson(path.join(dir, `${id}.manifest.json`)));
  if (!manifestResult.success) {
    const issue = manifestResult.error.issues[0]!;
    throw new TemplateError(`${id}.manifest.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  const graph = graphResult.data as ComfyGraph;
  checkManifest(id, graph, manifestResult.data);
  return { id, source, graph, manifest: manifestResult.data, title: manifestResult.data.title ?? id, description: manifestResult.data.description ?? '' };
}

async function loadFolder(dir: string, source: ComfyTemplate['source']) {
  const templates: ComfyTemplate[] = [];
  const errors: TemplateLoadError[] = [];
  let files: string[];
  try {
    files = await fs.readdir(dir);
  } catch {
    return { templates, errors: source === 'user' ? [{ file: dir, error: `templates folder ${dir} cannot be read` }] : errors };
  }
  for (const file of files.filter((f) => f.endsWith('.manifest.json')).sort()) {
    const id = file.slice(0, -'.manifest.json'.length);
    try {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) throw new TemplateError(`template name "${id}" must use letters, digits, _ and - only`);
      templates.push(await loadTemplate(dir, id, source));
    } catch (error) {
      errors.push({ file: path.join(dir, file), error: error instanceof TemplateError ? error.message : String(error) });
    }
  }
  return { templates, errors };
}

export async function loadTemplates(userDir?: string): Promise<{ templates: ComfyTemplate[]; errors: TemplateLoadError[] }> {
  const builtin = await loadFolder(BUILTIN_TEMPLATES_DIR, 'builtin');
  const user = userDir ? await loadFolder(userDir, 'user') : { templates: [], errors: [] };
  const taken = new Set(builtin.templates.map((t) => t.id));
  const errors = [...builtin.errors, ...user.errors];
  for (const template of user.templates.filter((t) => taken.has(t.id))) {
    errors.push({ file: path.join(userDir!, `${template.id}.manifest.json`), error: `template "${template.id}" has the name of a built-in template: rename the file pair` });
  }
  return { templates: [...builtin.templates, ...user.templates.filter((t) => !taken.has(t.id))], errors };
}

export async function findTemplate(id: string, userDir?: string): Promise<ComfyTemplate> {
  const { templates, errors } = await loadTemplates(userDir);
  const template = templates.find((t) => t.id === id);
  if (template) return template;
  const broken = errors.find((e) => path.basename(e.file) === `${id}.manifest.json`);
  if (broken) throw new TemplateError(broken.error);
  throw new TemplateError(`no template "${id}": choose one of ${templates.map((t) => t.id).join(', ')}`);
}

/** A copy of the graph with the parameters set and unset optional nodes bypassed. */
export function buildGraph(template: ComfyTemplate, values: Record<string, unknown>): ComfyGraph {
  const graph: ComfyGraph = structuredClone(template.graph);
  const removed = new Set<string>();
  for (const [name, parameter] of Object.entries(template.manifest.parameters)) {
    const value = values[name] ?? parameter.default;
    if (value === undefined || value === null) {
      if (parameter.optionalNode) removed.add(parameter.optionalNode);
      continue;
    }
    for (const [nodeId, input] of parameter.targets) graph[nodeId]!.inputs[input] = value;
  }
  for (const nodeId of removed) delete graph[nodeId];
  const resolve = (link: ComfyLink): ComfyLink => {
    let current = link;
    for (let hops = 0; removed.has(current[0]) && hops < 32; hops++) {
      const next = template.manifest.bypass[current[0]]?.[String(current[1])];
      if (!next) throw new TemplateError(`template "${template.id}": node ${current[0]} was skipped but nothing replaces its output ${current[1]}`);
      current = next;
    }
    return current;
  };
  for (const node of Object.values(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) if (isLink(value)) node.inputs[input] = resolve(value);
  }
  for (const node of Object.values(graph)) delete node._meta;
  return graph;
}

/** The job's input against what the template takes: an image only where it has one, and where it needs one. */
export function checkTemplateInput(template: ComfyTemplate, input: Record<string, unknown>): void {
  const imageParameters = Object.entries(template.manifest.parameters).filter(([, p]) => p.type === 'image');
  for (const [name] of imageParameters) {
    if (input[name] === undefined) throw new TemplateError(`template "${template.id}" needs a source image: pass "${name}": "<asset id>" (an image of an earlier job)`);
  }
  for (const name of ['image', 'denoise']) {
    if (input[name] !== undefined && !template.manifest.parameters[name]) throw new TemplateError(`template "${template.id}" takes no ${name}: use a template that does (img2img) or leave ${name} out`);
  }
}

export function describeTemplate(template: ComfyTemplate) {
  return {
    id: template.id,
    source: template.source,
    title: template.title,
    description: template.description,
    parameters: Object.entries(template.manifest.parameters).map(([name, p]) => ({
      name, type: p.type, default: p.default ?? null, description: p.description ?? '', optional: Boolean(p.optionalNode) || p.default !== undefined,
    })),
    nodeTypes: [...new Set(Object.values(template.graph).map((n) => n.class_type))],
  };
}
