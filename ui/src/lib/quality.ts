// Quality tiers: one choice that sets steps, sampler and scheduler; editing those by hand makes it "custom".
import type { Sampler, Scheduler } from './sampling.ts';

export interface SamplingSettings { steps: number; sampler: Sampler; scheduler: Scheduler }

export interface QualityTier extends SamplingSettings {
  id: 'draft' | 'standard' | 'high';
  label: string;
  use: string;
}

export const QUALITY_TIERS: readonly QualityTier[] = [
  { id: 'draft', label: 'Draft', use: 'Fast previews', steps: 10, sampler: 'euler_ancestral', scheduler: 'normal' },
  { id: 'standard', label: 'Standard', use: 'Balanced', steps: 20, sampler: 'dpmpp_2m', scheduler: 'karras' },
  { id: 'high', label: 'High', use: 'Final renders', steps: 40, sampler: 'dpmpp_2m_sde', scheduler: 'karras' },
];

export type QualityChoice = QualityTier['id'] | 'custom';

export const DEFAULT_QUALITY: QualityTier['id'] = 'standard';

export function qualityTier(id: QualityTier['id']): QualityTier {
  return QUALITY_TIERS.find((t) => t.id === id)!;
}

export function samplingFor(id: QualityTier['id']): SamplingSettings {
  const { steps, sampler, scheduler } = qualityTier(id);
  return { steps, sampler, scheduler };
}

export function qualityOf(settings: SamplingSettings): QualityChoice {
  const tier = QUALITY_TIERS.find((t) => t.steps === settings.steps && t.sampler === settings.sampler && t.scheduler === settings.scheduler);
  return tier?.id ?? 'custom';
}
