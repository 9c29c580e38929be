// A ComfyUI template: an API-format graph and its manifest, which names the node inputs each parameter sets,
// the optional nodes and the toggles (node sets present only when turned on). Checked once, when loaded:
// a manifest that names a node or input its graph lacks is refused, naming both.
import { z } from 'zod';

export type ComfyLink = [string, number];
export interface ComfyNode { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }
export type ComfyGraph = Record<string, ComfyNode>;

export class TemplateError extends Error {}

export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'model', 'image', 'combo', 'toggle'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** names a job itself uses; a template parameter may not take them */
export const RESERVED_NAMES = ['count', 'pool', 'template', 'title', 'project', 'params'];

export const graphSchema = z.record(z.string(), z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()) }).passthrough());

const parameterSchema = z.object({
  type: z.enum(PARAMETER_TYPES),
  /** the node inputs the value is written to (not for toggles) */
  targets: z.array(z.tuple([z.string(), z.string()])).default([]),
  default: z.unknown().optional(),
  label: z.string().optional(),
  description: z.string().optional(),
  /** the node is removed when the parameter is unset; `bypass` says what replaces its outputs */
  optionalNode: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().positive().optional(),
  /** allowed values of a string or combo (a combo without them takes ComfyUI's own from /object_info) */
  options: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  /** type toggle: the nodes present only while it is on */
  nodes: z.array(z.string()).optional(),
  /** this parameter belongs to that toggle: used (and an image required) only while it is on */
  toggle: z.string().optional(),
  /** for messages about a model the server lacks: ComfyUI's models/<folder> */
  modelFolder: z.string().optional(),
});

export const manifestSchema = z.object({
  title: z.string().optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), parameterSchema),
  /** for a node removed (optional node unset, toggle off): which link replaces each of its outputs */
  bypass: z.record(z.string(), z.record(z.string(), z.tuple([z.string(), z.number().int()]))).default({}),
  /** node class → the custom node pack that provides it, named when a server lacks the class */
  nodePacks: z.record(z.string(), z.string()).default({}),
});

export type TemplateManifest = z.infer<typeof manifestSchema>;
export type TemplateParameter = TemplateManifest['parameters'][string];

export interface ComfyTemplate {
  id: string;
  source: 'builtin' | 'user';
  title: string;
  description: string;
  graph: ComfyGraph;
  manifest: TemplateManifest;
}

export const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function isLink(value: unknown): value is ComfyLink {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** The nodes a toggle that is off, or an optional node left unset, takes out of the graph. */
export function removableNodes(manifest: TemplateManifest): Set<string> {
  const nodes = new Set<string>();
  for (const parameter of Object.values(manifest.parameters)) {
    if (parameter.optionalNode) nodes.add(parameter.optionalNode);
    for (const node of parameter.nodes ?? []) nodes.add(node);
  }
  return nodes;
}

export function checkManifest(id: string, graph: ComfyGraph, manifest: TemplateManifest): void {
  const fail = (message: string): never => { throw new TemplateError(`template "${id}": ${message}`); };
  const parameters = manifest.parameters;
  for (const [name, parameter] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name)) fail(`parameter name "${name}" must start with a letter and use letters, digits and _ only`);
    if (RESERVED_NAMES.includes(name)) fail(`parameter "${name}" has a name the job itself uses (${RESERVED_NAMES.join(', ')}): rename it`);
    if (parameter.type === 'toggle') {
      if (!parameter.nodes?.length) fail(`toggle "${name}" must list the "nodes" it adds`);
      if (parameter.targets.length) fail(`toggle "${name}" sets no inputs: remove its "targets"`);
      if (parameter.toggle) fail(`toggle "${name}" cannot belong to another toggle`);
    } else {
      if (!parameter.targets.length) fail(`parameter "${name}" must name at least one node input in "targets"`);
      if (parameter.nodes) fail(`parameter "${name}" is not a toggle: only toggles list "nodes"`);
    }
    if ((parameter.min !== undefined || parameter.max !== undefined) && parameter.type !== 'integer' && parameter.type !== 'number') fail(`parameter "${name}" is a ${parameter.type}: only integer and number parameters take min and max`);
    if (parameter.options && !['string', 'combo', 'integer', 'number'].includes(parameter.type)) fail(`parameter "${name}" is a ${parameter.type}: it takes no options`);
    if (parameter.toggle && parameters[parameter.toggle]?.type !== 'toggle') fail(`parameter "${name}" belongs to toggle "${parameter.toggle}", which the manifest does not declare as a toggle`);
    for (const [nodeId, input] of parameter.targets) {
      const node = graph[nodeId];
      if (!node) fail(`parameter "${name}" names node ${nodeId}, which its graph lacks`);
      if (!(input in node!.inputs)) fail(`parameter "${name}" names input "${input}" of node ${nodeId} (${node!.class_type}), which that node lacks`);
    }
    for (const nodeId of parameter.nodes ?? []) if (!graph[nodeId]) fail(`toggle "${name}" adds node ${nodeId}, which its graph lacks`);
    if (parameter.optionalNode && !graph[parameter.optionalNode]) fail(`parameter "${name}" makes node ${parameter.optionalNode} optional, but its graph lacks that node`);
    if (parameter.optionalNode && !manifest.bypass[parameter.optionalNode]) fail(`node ${parameter.optionalNode} is optional but "bypass" does not say what replaces its outputs`);
  }
  for (const [nodeId, outputs] of Object.entries(manifest.bypass)) {
    if (!graph[nodeId]) fail(`"bypass" names node ${nodeId}, which its graph lacks`);
    for (const [, [target]] of Object.entries(outputs)) {
      if (!graph[target]) fail(`bypass of node ${nodeId} links to node ${target}, which its graph lacks`);
    }
  }
}
