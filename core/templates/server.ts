// A template's graph against what one pool's ComfyUI offers (/object_info): its node types (a toggle's missing
// node names the pack to install), its models (a default the server lacks falls back to the server's first), and
// ComfyUI's own min/max/options for the values the job sets. The API and the GPU worker both call this, so a
// request the API refuses and a job the worker fails say the same words.
import type { ObjectInfo } from '../comfy/client.ts';
import { inputSpec, type InputSpec } from '../comfy/object-info.ts';
import { TemplateError, type ComfyGraph, type ComfyTemplate, type TemplateParameter } from './manifest.ts';
import { parameterInUse, togglesOn } from './graph.ts';
import { describeRange } from './values.ts';

export type ServerProblemKind = 'MissingNodeType' | 'MissingModel' | 'OutOfRange';
export class ServerMismatchError extends TemplateError {
  constructor(readonly kind: ServerProblemKind, message: string) { super(message); }
}

const labelOf = (name: string, parameter: TemplateParameter) => parameter.label ?? name;
const listed = (options: readonly unknown[]) => options.slice(0, 30).map((o) => JSON.stringify(o)).join(', ') + (options.length > 30 ? `, … (${options.length} in all)` : '');

function packFor(template: ComfyTemplate, classType: string): string | undefined {
  return template.manifest.nodePacks[classType];
}

function toggleOf(template: ComfyTemplate, nodeId: string): [string, TemplateParameter] | undefined {
  return Object.entries(template.manifest.parameters).find(([, p]) => p.type === 'toggle' && p.nodes?.includes(nodeId));
}

/** The parameter (if any) that writes this node input. */
function parameterAt(template: ComfyTemplate, nodeId: string, input: string): [string, TemplateParameter] | undefined {
  return Object.entries(template.manifest.parameters).find(([, p]) => p.targets.some(([n, i]) => n === nodeId && i === input));
}

function missingNode(template: ComfyTemplate, nodeId: string, classType: string, pool: string): string {
  const pack = packFor(template, classType);
  const toggle = toggleOf(template, nodeId);
  if (toggle) return `${labelOf(...toggle)} needs node type "${classType}", which ComfyUI on pool ${pool} lacks: install ${pack ?? 'the custom node that provides it'} on pool ${pool}`;
  return `ComfyUI has no node type "${classType}" (node ${nodeId} of template "${template.id}") on pool ${pool}: install ${pack ?? 'that custom node'} on the ComfyUI server or choose another template`;
}

function missingModel(template: ComfyTemplate, name: string, parameter: TemplateParameter, pool: string, value?: unknown, options: readonly unknown[] = []): string {
  const toggle = parameter.toggle ? template.manifest.parameters[parameter.toggle] : undefined;
  const who = toggle ? `${labelOf(parameter.toggle!, toggle)} needs` : `${name} needs`;
  if (!options.length) return `${who} a model, and ComfyUI on pool ${pool} has none for ${labelOf(name, parameter)}: put one in its models/${parameter.modelFolder ?? '…'} folder`;
  return `ComfyUI on pool ${pool} has no ${labelOf(name, parameter)} "${value}" (${name}); it has: ${listed(options)}`;
}

/** Why a toggle cannot be used on this server, or undefined when it can. */
export function toggleUnavailable(template: ComfyTemplate, toggle: string, info: ObjectInfo, pool: string): string | undefined {
  const parameter = template.manifest.parameters[toggle];
  for (const nodeId of parameter?.nodes ?? []) {
    const classType = template.graph[nodeId]!.class_type;
    if (!info[classType]) return missingNode(template, nodeId, classType, pool);
  }
  for (const [name, p] of Object.entries(template.manifest.parameters)) {
    if (p.toggle !== toggle || p.type !== 'model') continue;
    const [nodeId, input] = p.targets[0]!;
    const spec = inputSpec(info, template.graph[nodeId]!.class_type, input);
    if (spec?.kind === 'COMBO' && !spec.options?.length) return missingModel(template, name, p, pool);
  }
  return undefined;
}

/** ComfyUI's limits for a parameter's (first) target input, for forms and checks. */
export function parameterSpec(template: ComfyTemplate, name: string, info: ObjectInfo): InputSpec | undefined {
  const target = template.manifest.parameters[name]?.targets[0];
  return target && template.graph[target[0]] ? inputSpec(info, template.graph[target[0]]!.class_type, target[1]) : undefined;
}

/**
 * Checks a built graph against the server; a model the job did not choose (a default) that the server lacks is
 * replaced in `graph` by the server's first, and a note says so. Throws a ServerMismatchError naming what to fix.
 */
export function checkAgainstServer(template: ComfyTemplate, graph: ComfyGraph, values: Record<string, unknown>, info: ObjectInfo, pool: string): string[] {
  for (const [nodeId, node] of Object.entries(graph)) {
    if (!info[node.class_type]) throw new ServerMismatchError('MissingNodeType', missingNode(template, nodeId, node.class_type, pool));
  }
  const on = togglesOn(template, values);
  const notes: string[] = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (Array.isArray(value)) continue;
      const spec = inputSpec(info, node.class_type, input);
      const owner = parameterAt(template, nodeId, input);
      // an image parameter names an upload made just before queueing: ComfyUI's LoadImage checks the file itself
      if (!spec || owner && (!parameterInUse(template, owner[0], on) || owner[1].type === 'image')) continue;
      if (spec.kind === 'COMBO' && !spec.options?.includes(value as string)) {
        const explicit = owner && values[owner[0]] !== undefined;
        const model = owner ? owner[1].type === 'model' : input === 'ckpt_name';
        if (model && !explicit && spec.options?.length) {
          node.inputs[input] = spec.options[0];
          notes.push(`${owner?.[0] ?? 'checkpoint'} ${value} is not on this ComfyUI server; using ${spec.options[0]}`);
        } else if (owner && model) {
          throw new ServerMismatchError('MissingModel', missingModel(template, owner[0], owner[1], pool, value, spec.options));
        } else if (owner) {
          throw new ServerMismatchError('OutOfRange', `${owner[0]} must be one of ${listed(spec.options ?? [])} (what ComfyUI on pool ${pool} offers for ${node.class_type} ${input}); got ${JSON.stringify(value)}`);
        }
      }
      if ((spec.kind === 'INT' || spec.kind === 'FLOAT') && owner && typeof value === 'number' && (spec.min !== undefined && value < spec.min || spec.max !== undefined && value > spec.max)) {
        throw new ServerMismatchError('OutOfRange', `${owner[0]} must be ${describeRange(spec.min, spec.max)} (ComfyUI's limits for ${node.class_type} ${input}); got ${value}`);
      }
    }
  }
  return notes;
}
