import { CATALOGUE } from './catalogue.ts';
import type { NodeClass } from './spec.ts';

/** The custom node packs the stand-in knows classes of; each can be left out, as on a server without it. */
export const NODE_PACKS = ['ComfyUI_IPAdapter_plus', 'ComfyUI-Impact-Pack', 'ComfyUI-Impact-Subpack'] as const;

/** The node classes this server has: ComfyUI's own and those of the node packs it was not started without. */
export class InstalledNodes {
  private without: Set<string>;

  constructor(without: readonly string[] = []) {
    this.without = new Set(InstalledNodes.check(without));
  }

  /** Names the packs it does not know, so a typo in a test or a flag says so instead of changing nothing. */
  static check(packs: readonly string[]): string[] {
    const unknown = packs.filter((p) => !(NODE_PACKS as readonly string[]).includes(p));
    if (unknown.length) throw new Error(`unknown node pack ${unknown.join(', ')}: the stand-in knows ${NODE_PACKS.join(', ')}`);
    return [...packs];
  }

  get(name: string): NodeClass | undefined {
    const node = CATALOGUE.get(name);
    return node && !(node.pack && this.without.has(node.pack)) ? node : undefined;
  }

  classes(): NodeClass[] {
    return [...CATALOGUE.values()].filter((node) => !(node.pack && this.without.has(node.pack)));
  }

  setWithout(packs: readonly string[]): void {
    this.without = new Set(InstalledNodes.check(packs));
  }

  packs(): Array<{ name: string; installed: boolean }> {
    return NODE_PACKS.map((name) => ({ name, installed: !this.without.has(name) }));
  }
}
