// The images a job has made: from its asset.created events (live) and its asset records (complete).
import type { Asset, JobEvent, StepState } from './types.ts';
import { humanize } from './format.ts';

export interface GalleryImage { id: string; url: string; label: string; step?: string; width?: number | null; height?: number | null }

export function assetUrl(id: string): string {
  return `/api/assets/${encodeURIComponent(id)}`;
}

export function galleryImages(events: readonly JobEvent[], assets: readonly Asset[], steps: readonly StepState[] = []): GalleryImage[] {
  const images = new Map<string, GalleryImage>();
  const perStep = new Map<string, number>();
  const stepLabel = (step: string | undefined) => (step ? steps.find((s) => s.id === step)?.label ?? humanize(step) : 'Image');
  const add = (id: string, step: string | undefined, width?: number | null, height?: number | null) => {
    if (images.has(id)) return;
    const nth = (perStep.get(step ?? '') ?? 0) + 1;
    perStep.set(step ?? '', nth);
    const label = `${stepLabel(step)}${nth > 1 ? ` · ${nth}` : ''}`;
    images.set(id, { id, url: assetUrl(id), label, step, width, height });
  };
  for (const event of events) {
    if (event.type !== 'asset.created' || typeof event.data?.assetId !== 'string') continue;
    const { assetId, step, width, height } = event.data as { assetId: string; step?: string; width?: number; height?: number };
    add(assetId, typeof step === 'string' ? step : undefined, width, height);
  }
  for (const asset of assets) {
    if (!asset.mime.startsWith('image/')) continue;
    const step = steps.find((s) => s.assets.some((a) => a.id === asset.id))?.id;
    add(asset.id, step, asset.width, asset.height);
  }
  // images arrive in the order ComfyUI finished them; show them in the job's own order (image 1, 2, …)
  const position = (image: GalleryImage) => {
    const index = steps.findIndex((s) => s.id === image.step);
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  return [...images.values()].sort((a, b) => position(a) - position(b));
}
