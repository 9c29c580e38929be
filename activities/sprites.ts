// The sprites pipeline's own records: its job (input checked, the plan of sprites settled) and its library of kept
// sprites per project, from which later deploys read.
import { Context, ApplicationFailure } from '@temporalio/activity';
import { poolFor, recordNewJob, type JobDeps } from './jobs.ts';
import { pickTemplate } from '../core/templates/catalogue.ts';
import { TemplateError } from '../core/templates/manifest.ts';
import { describeIssues } from '../core/generate-input.ts';
import { CATEGORY_WORDS, paletteChoice, SPRITE_NEGATIVE, SPRITE_STYLES, spritePrompts, spritesInputSchema, type PaletteChoice } from '../core/sprites-input.ts';
import { spriteSlug, uniqueSpriteNames } from '../core/sprite-names.ts';
import { checkProjectPath, DeployRefused } from '../core/bevy-roots.ts';
import { FIXED_PALETTES } from '../core/palettes.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { SpriteRepository } from '../db/sprites.ts';
import type { SpritePlan, SpritesSettings, SpriteState } from '../workflows/sprites-state.ts';
import type { AtlasGrid } from '../core/bevy-atlas.ts';

export interface SpritesDeps extends Pick<JobDeps, 'jobs' | 'emit' | 'gpuPools' | 'defaultPool' | 'templates' | 'comfyInflight'> {
  assets: AssetRepository;
  sprites: SpriteRepository;
  bevyRoots: string[];
}

/** what every frame's ComfyUI prompt shares */
export interface SpriteGeneration { pool: string; template: string; steps: number; negativePrompt: string; lora?: string; loraStrength: number; width: number; height: number }

export interface RegisteredSprites {
  title: string;
  sprites: SpritePlan[];
  settings: SpritesSettings;
  generation: SpriteGeneration;
  /** the prompt text of each style and category, joined to the person's prompt by the workflow */
  words: { style: string; categories: Record<string, string> };
  pixelate: { tolerance: number; margin: number; softAlpha: boolean };
  /** prompts at ComfyUI at once */
  window: number;
}

/** a sprite from the library, ready to be written into a project */
export interface KeptSprite { spriteId: string; name: string; category: SpritePlan['category']; assetPath: string; atlas: AtlasGrid | null }

const SEED_RANGE = 2 ** 32;

export function paletteLabel(palette: PaletteChoice): string {
  if (palette.kind === 'auto') return `${palette.colours} colours`;
  if (palette.kind === 'fixed') return FIXED_PALETTES[palette.name].label;
  return 'uploaded palette';
}

export function spritesActivities(deps: SpritesDeps) {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadInput');

  return {
    /** Checks the input (it may come from the temporal CLI), records the job and plans its sprites. */
    async registerSprites(raw: unknown, meta: { correlationId?: string; randomSeed: number }): Promise<RegisteredSprites> {
      const parsed = spritesInputSchema.safeParse(raw ?? {});
      const prompts = parsed.success ? spritePrompts(parsed.data) : [];
      const title = parsed.success ? parsed.data.title || `${prompts[0]!.prompt.slice(0, 70)}${prompts.length > 1 ? ` and ${prompts.length - 1} more` : ''}` : 'sprites (bad input)';
      const planned = parsed.success ? { sprites: prompts.length * parsed.data.variants, count: prompts.reduce((sum, p) => sum + p.frames, 0) * parsed.data.variants } : {};
      await recordNewJob(deps, {
        pipeline: 'sprites', title, project: parsed.success ? parsed.data.project : undefined, correlationId: meta.correlationId,
        inputSummary: parsed.success ? { ...parsed.data } : { raw: raw as Record<string, unknown> },
        problem: parsed.success ? undefined : describeIssues(parsed.error), started: planned,
      });
      const input = parsed.data!;
      const jobId = Context.current().info.workflowExecution!.workflowId;
      const style = SPRITE_STYLES[input.style];
      const template = input.template ?? style.template;
      try {
        pickTemplate(await deps.templates.snapshot(), template);
      } catch (error) {
        if (error instanceof TemplateError) throw bad(error.message);
        throw error;
      }
      const palette = paletteChoice(input);
      if (palette.kind === 'upload' && !(await deps.assets.get(palette.assetId))) throw bad(`no asset "${palette.assetId}" for the palette: upload the palette PNG first (POST /api/uploads) and pass its id`);
      let deploy = input.deploy;
      if (deploy) {
        try {
          deploy = { ...deploy, project: checkProjectPath(deploy.project, deps.bevyRoots) };
        } catch (error) {
          if (error instanceof DeployRefused) throw bad(error.message);
          throw error;
        }
      }
      const pool = poolFor(deps, input.pool);
      const sprites: SpritePlan[] = [];
      for (const [index, entry] of prompts.entries()) {
        for (let variant = 1; variant <= input.variants; variant++) {
          sprites.push({
            id: `s${index + 1}-v${variant}`, label: `${entry.prompt.slice(0, 60)}${input.variants > 1 ? ` · variant ${variant}` : ''}`,
            prompt: entry.prompt, category: entry.category, variant, frames: entry.frames,
            baseName: spriteSlug(entry.name ?? entry.prompt), seed: ((input.seed ?? meta.randomSeed) + index * 7919 + (variant - 1) * 104_729) % SEED_RANGE,
          });
        }
      }
      const settings: SpritesSettings = {
        style: input.style, grid: input.size ?? style.grid, palette, paletteLabel: paletteLabel(palette), project: input.project ?? (deploy ? deploy.project.split(/[\\/]/).filter(Boolean).pop()! : 'default'),
        review: input.review, outline: input.outline, deploy,
      };
      await deps.jobs.update(jobId, { stage: 'generating' });
      await deps.emit(jobId, 'stage', { stage: 'generating', status: 'RUNNING' }, { dedupeKey: 'stage:generating' });
      return {
        title, sprites, settings,
        generation: { pool, template, steps: input.steps, negativePrompt: input.negativePrompt ?? SPRITE_NEGATIVE, lora: input.lora === 'none' ? undefined : input.lora ?? style.lora, loraStrength: input.loraStrength ?? style.loraStrength, width: 1024, height: 1024 },
        words: { style: style.words, categories: Object.fromEntries(Object.entries(CATEGORY_WORDS).map(([k, v]) => [k, v.words])) },
        pixelate: { tolerance: input.tolerance, margin: input.margin, softAlpha: input.softAlpha },
        window: deps.comfyInflight + 1,
      };
    },

    /** Kept sprites get their file names (unique per folder, in job order) and join the project's library (upserts: a retry records each once). */
    async keepSprites(jobId: string, settings: SpritesSettings, kept: SpriteState[]): Promise<Record<string, string>> {
      const names = uniqueSpriteNames(kept.map((s) => ({ id: s.id, baseName: s.baseName, category: s.category })));
      await deps.sprites.keep(kept.map((s) => ({
        id: `${jobId}/${s.id}`, jobId, spriteId: s.id, project: settings.project, name: names.get(s.id)!, category: s.category, prompt: s.prompt,
        style: settings.style, grid: settings.grid, palette: settings.paletteLabel, frames: s.frames, atlas: (s.atlas ?? null) as Record<string, unknown> | null,
        assetId: s.sprite!.id, previewAssetId: s.preview!.id,
      })));
      await deps.emit(jobId, 'sprites.kept', { project: settings.project, kept: kept.map((s) => ({ sprite: s.id, name: names.get(s.id), category: s.category })) }, { dedupeKey: 'sprites.kept' });
      return Object.fromEntries(names);
    },

    /** A job's kept sprites, from the library (for a deploy after the job ended). */
    async keptSprites(jobId: string): Promise<KeptSprite[]> {
      const rows = await deps.sprites.forJob(jobId);
      if (!rows.length) throw bad(`job "${jobId}" has no kept sprites: keep some in its review first (or check the job id with GET /api/jobs?pipeline=sprites)`);
      const kept: KeptSprite[] = [];
      for (const row of rows) {
        const asset = await deps.assets.get(row.assetId);
        if (!asset) throw bad(`sprite ${row.spriteId} of job "${jobId}" has lost its image (asset ${row.assetId})`);
        kept.push({ spriteId: row.spriteId, name: row.name, category: row.category as KeptSprite['category'], assetPath: asset.relativePath, atlas: (row.atlas as AtlasGrid | null) ?? null });
      }
      return kept;
    },
  };
}

export type SpritesActivities = ReturnType<typeof spritesActivities>;
