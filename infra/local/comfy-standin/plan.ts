import { createHash } from 'node:crypto';
import { toJson, type Json } from './json.ts';
import { CATALOGUE } from './nodes/catalogue.ts';
import type { NodeClass } from './nodes/spec.ts';
import type { DataDirs } from './paths.ts';
import type { Graph } from './validate.ts';

export const classOf = (graph: Graph, id: string) => CATALOGUE.get(graph[id].class_type) as NodeClass;

function links(graph: Graph, id: string): Array<[string, number]> {
  return Object.values(graph[id].inputs)
    .filter((v): v is Json[] => Array.isArray(v))
    .map((v) => [v[0] as string, Number(v[1])]);
}

/**
 * Cache keys: a node's class, its widget values, its fingerprint (IS_CHANGED) and its inputs' keys, so an identical
 * subgraph gets the same key whatever its node ids.
 */
export function signatures(graph: Graph, dirs: DataDirs): Map<string, string> {
  const keys = new Map<string, string>();
  const visiting = new Set<string>();
  const keyOf = (id: string): string => {
    const known = keys.get(id);
    if (known) return known;
    if (visiting.has(id) || !graph[id]) return `unresolvable:${id}`;
    visiting.add(id);
    const node = graph[id];
    const cls = classOf(graph, id);
    const inputs = Object.entries(node.inputs)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, v]) => [name, Array.isArray(v) ? ['link', keyOf(String(v[0])), Number(v[1])] : v]);
    let fingerprint = '';
    try {
      fingerprint = cls.fingerprint?.(node.inputs, dirs) ?? '';
    } catch {
      fingerprint = String(Math.random());
    }
    const key = createHash('sha256').update(toJson([node.class_type, inputs, fingerprint])).digest('hex');
    keys.set(id, key);
    visiting.delete(id);
    return key;
  };
  for (const id of Object.keys(graph)) keyOf(id);
  return keys;
}

/**
 * The order ComfyUI's ExecutionList stages nodes in: dependencies first, cached nodes skipped, and among the ready
 * nodes the one that brings an output node soonest (output nodes, then their direct and second-level feeders).
 */
export class ExecutionPlan {
  private readonly pending = new Map<string, true>();
  private readonly blockCount = new Map<string, number>();
  private readonly blocking = new Map<string, Set<string>>();

  constructor(
    private readonly graph: Graph,
    private readonly isCached: (id: string) => boolean,
  ) {}

  add(outputId: string): void {
    const stack = [outputId];
    const found: Array<[string, string]> = [];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.pending.has(id)) continue;
      this.pending.set(id, true);
      this.blockCount.set(id, 0);
      this.blocking.set(id, new Set());
      for (const [from] of links(this.graph, id)) {
        if (!this.isCached(from)) stack.push(from);
        found.push([from, id]);
      }
    }
    for (const [from, to] of found) this.link(from, to);
  }

  private link(from: string, to: string): void {
    if (this.isCached(from)) return;
    this.add(from);
    const blocked = this.blocking.get(from)!;
    if (!blocked.has(to)) {
      blocked.add(to);
      this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
    }
  }

  get done(): boolean {
    return this.pending.size === 0;
  }

  next(): string {
    const ready = [...this.pending.keys()].filter((id) => this.blockCount.get(id) === 0);
    if (ready.length === 0) throw new Error('Dependency cycle detected');
    const isOutput = (id: string) => classOf(this.graph, id).outputNode === true;
    const feeds = (id: string) => [...(this.blocking.get(id) ?? [])];
    return (
      ready.find(isOutput) ??
      ready.find((id) => feeds(id).some(isOutput)) ??
      ready.find((id) => feeds(id).some((b) => feeds(b).some(isOutput))) ??
      ready[0]
    );
  }

  complete(id: string): void {
    this.pending.delete(id);
    for (const to of this.blocking.get(id) ?? []) this.blockCount.set(to, (this.blockCount.get(to) ?? 1) - 1);
  }
}
