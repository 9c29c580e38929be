import type { Json } from '../json.ts';
import type { DataDirs } from '../paths.ts';
import { InstalledNodes } from './installed.ts';
import type { InputDef, NodeClass } from './spec.ts';

function inputSpec(def: InputDef, dirs: DataDirs): Json[] {
  const hasConfig = Object.keys(def.config).length > 0;
  if (def.type !== 'COMBO') return hasConfig ? [def.type, def.config] : [def.type];
  const options = def.options?.(dirs) ?? [];
  if (def.comboShape === 'v3') return ['COMBO', { ...def.config, options }];
  return hasConfig ? [options, def.config] : [options];
}

function section(inputs: Record<string, InputDef>, dirs: DataDirs): Record<string, Json> {
  return Object.fromEntries(Object.entries(inputs).map(([name, def]) => [name, inputSpec(def, dirs)]));
}

/** One class as GET /object_info describes it. */
export function nodeInfo(node: NodeClass, dirs: DataDirs): Record<string, Json> {
  const input: Record<string, Json> = { required: section(node.required, dirs) };
  const order: Record<string, Json> = { required: Object.keys(node.required) };
  if (node.optional) {
    input.optional = section(node.optional, dirs);
    order.optional = Object.keys(node.optional);
  }
  if (node.hidden) {
    input.hidden = node.hidden;
    order.hidden = Object.keys(node.hidden);
  }
  const info: Record<string, Json> = {
    input,
    input_order: order,
    output: node.outputs.map((o) => o.type),
    output_is_list: node.outputs.map((o) => o.isList === true),
    output_name: node.outputs.map((o) => o.name ?? o.type),
    name: node.name,
    display_name: node.displayName,
    description: node.description,
    python_module: node.pythonModule ?? 'nodes',
    category: node.category,
    output_node: node.outputNode === true,
  };
  if (node.outputs.some((o) => o.tooltip)) info.output_tooltips = node.outputs.map((o) => o.tooltip ?? '');
  return info;
}

/** GET /object_info: the classes installed now (a node pack taken out is absent, as on a server without it). */
export function objectInfo(dirs: DataDirs, only?: string, installed: InstalledNodes = new InstalledNodes()): Record<string, Json> {
  if (only !== undefined) {
    const node = installed.get(only);
    return node ? { [only]: nodeInfo(node, dirs) } : {};
  }
  return Object.fromEntries(installed.classes().map((node) => [node.name, nodeInfo(node, dirs)]));
}
