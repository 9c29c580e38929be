// A template as GET /api/templates shows it: its parameters (with ComfyUI's own limits and options when a pool's
// /object_info was read) and, per toggle, whether that pool can run it and why not.
import type { ObjectInfo } from '../comfy/client.ts';
import type { ComfyTemplate } from './manifest.ts';
import { parameterSpec, toggleUnavailable } from './server.ts';

const bound = (pick: (...n: number[]) => number, ...limits: (number | undefined)[]) => {
  const known = limits.filter((n): n is number => n !== undefined);
  return known.length ? pick(...known) : null;
};

export interface ServerView { pool: string; objectInfo: ObjectInfo }

export function describeTemplate(template: ComfyTemplate, server?: ServerView) {
  return {
    id: template.id,
    source: template.source,
    title: template.title,
    description: template.description,
    parameters: Object.entries(template.manifest.parameters).map(([name, p]) => {
      const spec = server && p.type !== 'toggle' ? parameterSpec(template, name, server.objectInfo) : undefined;
      const unavailable = server && p.type === 'toggle' ? toggleUnavailable(template, name, server.objectInfo, server.pool) : undefined;
      return {
        name, type: p.type, label: p.label ?? null, default: p.default ?? null, description: p.description ?? '',
        optional: Boolean(p.optionalNode) || p.default !== undefined || p.type === 'toggle' || Boolean(p.toggle),
        toggle: p.toggle ?? null,
        // the narrower of the manifest's and the server's limits
        min: bound(Math.max, p.min, spec?.min), max: bound(Math.min, p.max, spec?.max), step: p.step ?? spec?.step ?? null,
        options: p.options ?? (spec?.kind === 'COMBO' ? spec.options ?? [] : null),
        ...(p.type === 'toggle' ? { available: server ? !unavailable : null, unavailable: unavailable ?? null } : {}),
      };
    }),
    nodeTypes: [...new Set(Object.values(template.graph).map((n) => n.class_type))],
  };
}

export type TemplateDescription = ReturnType<typeof describeTemplate>;
