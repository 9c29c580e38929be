import { imageNodes } from './image.ts';
import { latentNodes } from './latent.ts';
import { modelNodes } from './models.ts';
import { controlNetNodes } from './controlnet.ts';
import { upscaleNodes } from './upscale.ts';
import { ipAdapterNodes } from './ipadapter.ts';
import { impactNodes } from './impact.ts';
import { inpaintNodes } from './inpaint.ts';
import { rmbgNodes } from './rmbg.ts';
import type { InputDef, NodeClass } from './spec.ts';

/** Every node class the stand-in knows (a server may lack a custom pack's: see installed.ts); adding a class is
 * adding one entry to one of these lists. */
export const CATALOGUE: ReadonlyMap<string, NodeClass> = new Map(
  [...modelNodes, ...latentNodes, ...imageNodes, ...controlNetNodes, ...upscaleNodes, ...ipAdapterNodes, ...impactNodes, ...inpaintNodes, ...rmbgNodes].map((node) => [node.name, node]),
);

export function inputDef(node: NodeClass, name: string): { def: InputDef; category: 'required' | 'optional' } | undefined {
  if (Object.hasOwn(node.required, name)) return { def: node.required[name], category: 'required' };
  if (node.optional && Object.hasOwn(node.optional, name)) return { def: node.optional[name], category: 'optional' };
  return undefined;
}

/** Required then optional input names, in declaration order. */
export function inputNames(node: NodeClass): string[] {
  return [...Object.keys(node.required), ...Object.keys(node.optional ?? {})];
}
