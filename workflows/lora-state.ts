// The lora pipeline's state (the `state` query of its workflows): the common pipeline state plus the character,
// the training settings, the LoRA made, where it ran, and the samples staged for a person.
import type { AssetRef, PipelineState } from './messages.ts';
import type { TrainingSettings } from '../core/lora-settings.ts';
import type { CharacterRef, RegisteredLora } from '../activities/lora-jobs.ts';

export interface StagedSample {
  asset: AssetRef;
  /** the caption it joins the dataset with when kept */
  caption: string;
  prompt: string;
  decision?: 'keep' | 'discard';
}

export interface LoraState extends PipelineState {
  kind: 'train' | 'synthesize' | 'captions';
  character?: CharacterRef;
  settings?: TrainingSettings;
  /** the settings in one sentence, kept with the job */
  summary?: string;
  loraName?: string;
  lora?: RegisteredLora;
  /** the GPU host that trained, and the one that sampled (the same unless that host was lost) */
  trainedOn?: string;
  sampledOn?: string;
  staged: StagedSample[];
}
