// A template's graph with the job's values in it: parameters set on the parsed graph (never by text
// substitution), toggles that are off and optional nodes left unset taken out, their outputs replaced by `bypass`.
import { isLink, TemplateError, type ComfyGraph, type ComfyLink, type ComfyTemplate } from './manifest.ts';

/** Which toggles are on for these values (a toggle is off unless its value or default is true). */
export function togglesOn(template: ComfyTemplate, values: Record<string, unknown>): Set<string> {
  const on = new Set<string>();
  for (const [name, parameter] of Object.entries(template.manifest.parameters)) {
    if (parameter.type === 'toggle' && (values[name] ?? parameter.default) === true) on.add(name);
  }
  return on;
}

/** Is this parameter in use with these values (not part of a toggle that is off)? */
export function parameterInUse(template: ComfyTemplate, name: string, on: Set<string>): boolean {
  const parameter = template.manifest.parameters[name];
  return Boolean(parameter) && (!parameter!.toggle || on.has(parameter!.toggle));
}

/** A copy of the graph with the parameters set and the nodes of unused toggles and unset optional nodes bypassed. */
export function buildGraph(template: ComfyTemplate, values: Record<string, unknown>): ComfyGraph {
  const graph: ComfyGraph = structuredClone(template.graph);
  const on = togglesOn(template, values);
  const removed = new Set<string>();
  for (const [name, parameter] of Object.entries(template.manifest.parameters)) {
    if (parameter.type === 'toggle' && !on.has(name)) for (const node of parameter.nodes ?? []) removed.add(node);
  }
  for (const [name, parameter] of Object.entries(template.manifest.parameters)) {
    if (parameter.type === 'toggle' || !parameterInUse(template, name, on)) continue;
    const value = values[name] ?? parameter.default;
    if (value === undefined || value === null) {
      if (parameter.optionalNode) removed.add(parameter.optionalNode);
      continue;
    }
    for (const [nodeId, input] of parameter.targets) if (!removed.has(nodeId)) graph[nodeId]!.inputs[input] = value;
  }
  for (const nodeId of removed) delete graph[nodeId];
  const resolve = (link: ComfyLink, from: string): ComfyLink => {
    let current = link;
    for (let hops = 0; removed.has(current[0]); hops++) {
      const next = template.manifest.bypass[current[0]]?.[String(current[1])];
      if (!next || hops > 32) throw new TemplateError(`template "${template.id}": node ${current[0]} was left out but "bypass" names nothing in place of its output ${current[1]}, which node ${from} uses`);
      current = next;
    }
    return current;
  };
  for (const [nodeId, node] of Object.entries(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) if (isLink(value)) node.inputs[input] = resolve(value, nodeId);
    delete node._meta;
  }
  return graph;
}

/** Load-time check that every toggle and optional node can be left out and put in: all off, all on, each alone. */
export function checkBypasses(template: ComfyTemplate): void {
  const toggles = Object.entries(template.manifest.parameters).filter(([, p]) => p.type === 'toggle').map(([name]) => name);
  const all = Object.fromEntries(toggles.map((name) => [name, true]));
  for (const values of [{}, all, ...toggles.map((name) => ({ [name]: true }))]) buildGraph(template, values);
}
