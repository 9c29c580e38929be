// The sprites pipeline's state as its `state` query returns it (types only: read by the API, the CLI, MCP and the UI).
import type { AssetRef, PipelineState } from './messages.ts';
import type { AtlasGrid } from '../core/bevy-atlas.ts';
import type { PaletteChoice, SpriteCategory, SpriteStyleName } from '../core/sprites-input.ts';

export type SpriteStatus = 'pending' | 'generating' | 'pixelating' | 'awaiting-review' | 'kept' | 'discarded' | 'failed' | 'cancelled';

/** one planned sprite: a prompt's variant, turned into `frames` images and pixelated into one sprite or sheet */
export interface SpritePlan {
  id: string;
  label: string;
  prompt: string;
  category: SpriteCategory;
  variant: number;
  frames: number;
  /** the file name it gets when kept (before names of kept sprites are made unique) */
  baseName: string;
  seed: number;
}

export interface SpriteState extends SpritePlan {
  status: SpriteStatus;
  attempts: number;
  /** the generated images of the current attempt */
  sources: AssetRef[];
  sprite?: AssetRef;
  preview?: AssetRef;
  tilePreview?: AssetRef;
  previewFactor?: number;
  atlas?: AtlasGrid;
  colours?: number;
  keyedShare?: number;
  seams?: { ratio: number; seamless: boolean };
  notes?: string[];
  /** the unique file name under assets/ once kept */
  fileName?: string;
  error?: string;
}

export interface SpritesSettings {
  style: SpriteStyleName;
  grid: number;
  palette: PaletteChoice;
  /** how the palette is named for people: "16 colours", "PICO-8", "uploaded palette" */
  paletteLabel: string;
  project: string;
  review: boolean;
  outline: boolean;
  deploy?: { project: string; force: boolean };
}

export interface DeployedFile { path: string; action: string; bytes?: number; sprite?: string; reason?: string }
export interface DeploymentSummary { project: string; dryRun: boolean; files: DeployedFile[]; loadLines: { sprite: string; path: string; lines: string[] }[]; manifest: string }

export interface SpritesState extends PipelineState {
  pipeline: 'sprites';
  settings?: SpritesSettings;
  sprites: SpriteState[];
  /** the deploy asked for at the start (`deploy`), once it ran */
  deployment?: DeploymentSummary | { error: string; project: string };
}
