// Atelier's tables. The SQL that creates them lives in db/migrations/; keep both in step.
import { pgTable, text, integer, bigint, bigserial, timestamp, jsonb, index, uniqueIndex, primaryKey, doublePrecision } from 'drizzle-orm/pg-core';

export const jobs = pgTable('jobs', {
  id: text('id').primaryKey(), // the workflow id
  runId: text('run_id'),
  pipeline: text('pipeline').notNull(),
  title: text('title').notNull(),
  stage: text('stage').notNull(),
  status: text('status').notNull(), // RUNNING | PAUSED | COMPLETED | FAILED | CANCELLED
  inputSummary: jsonb('input_summary').$type<Record<string, unknown>>().notNull(),
  project: text('project'),
  correlationId: text('correlation_id'),
  error: text('error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [index('jobs_created_idx').on(t.createdAt, t.id), index('jobs_pipeline_idx').on(t.pipeline), index('jobs_status_idx').on(t.status)]);

export const events = pgTable('events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  jobId: text('job_id').notNull(),
  seq: integer('seq').notNull(),
  time: timestamp('time', { withTimezone: true }).notNull().defaultNow(),
  level: text('level').notNull(),
  type: text('type').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  /** makes an activity's retried append a no-op */
  dedupeKey: text('dedupe_key'),
  correlationId: text('correlation_id'),
}, (t) => [uniqueIndex('events_job_seq_idx').on(t.jobId, t.seq), uniqueIndex('events_dedupe_idx').on(t.jobId, t.dedupeKey)]);

export const assets = pgTable('assets', {
  id: text('id').primaryKey(),
  /** null for an upload no job has taken yet */
  jobId: text('job_id'),
  kind: text('kind').notNull(),
  relativePath: text('relative_path').notNull(),
  sha256: text('sha256').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  width: integer('width'),
  height: integer('height'),
  mime: text('mime').notNull(),
  meta: jsonb('meta').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('assets_path_idx').on(t.relativePath), index('assets_job_idx').on(t.jobId)]);

export type JobRow = typeof jobs.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;

/** kept sprites, a library per project (db/migrations/0008_sprites.sql) */
export const spriteLibrary = pgTable('sprite_library', {
  id: text('id').primaryKey(),
  jobId: text('job_id').notNull(),
  spriteId: text('sprite_id').notNull(),
  project: text('project').notNull(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  prompt: text('prompt').notNull(),
  style: text('style').notNull(),
  grid: integer('grid').notNull(),
  palette: text('palette').notNull(),
  frames: integer('frames').notNull(),
  atlas: jsonb('atlas').$type<Record<string, unknown> | null>(),
  assetId: text('asset_id').notNull(),
  previewAssetId: text('preview_asset_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('sprite_library_project_idx').on(t.project, t.createdAt), index('sprite_library_job_idx').on(t.jobId)]);

export const spriteDeployments = pgTable('sprite_deployments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  jobId: text('job_id').notNull(),
  projectDir: text('project_dir').notNull(),
  action: text('action').notNull(),
  files: jsonb('files').$type<unknown[]>().notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('sprite_deployments_job_idx').on(t.jobId, t.at)]);

export type SpriteRow = typeof spriteLibrary.$inferSelect;
export type SpriteDeploymentRow = typeof spriteDeployments.$inferSelect;
export const campaigns = pgTable('campaigns', {
  jobId: text('job_id').primaryKey(),
  title: text('title').notNull(),
  premise: jsonb('premise').$type<Record<string, unknown>>().notNull(),
  outline: jsonb('outline').$type<Record<string, unknown>>(),
  outlineRevision: integer('outline_revision').notNull().default(0),
  /** what the person was told about the outline (unreachable scenes, dead ends) */
  problems: jsonb('problems').$type<string[]>().notNull().default([]),
  /** asset ids of the flowchart and the exports: {svg, png, mermaid, zip, handout} */
  files: jsonb('files').$type<Record<string, string>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('campaigns_created_idx').on(t.createdAt)]);

export const campaignChapters = pgTable('campaign_chapters', {
  jobId: text('job_id').notNull(),
  sceneId: text('scene_id').notNull(),
  outlineRevision: integer('outline_revision').notNull(),
  text: text('text').notNull(),
  /** how often this chapter was written: 1 unless a person asked for it again */
  writes: integer('writes').notNull().default(1),
  writtenAt: timestamp('written_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.jobId, t.sceneId] })]);

export const campaignIllustrations = pgTable('campaign_illustrations', {
  jobId: text('job_id').notNull(),
  /** `scene-<id>` or `npc-<id>` */
  target: text('target').notNull(),
  label: text('label').notNull(),
  prompt: text('prompt').notNull(),
  assetId: text('asset_id').notNull(),
  revision: integer('revision').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.jobId, t.target] })]);

export type CampaignRow = typeof campaigns.$inferSelect;
export type ChapterRow = typeof campaignChapters.$inferSelect;
export type IllustrationRow = typeof campaignIllustrations.$inferSelect;

export const characters = pgTable('characters', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  triggerWord: text('trigger_word').notNull(),
  description: text('description').notNull().default(''),
  samplePrompts: jsonb('sample_prompts').$type<string[]>().notNull().default([]),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const datasetImages = pgTable('dataset_images', {
  id: text('id').primaryKey(),
  characterId: text('character_id').notNull(),
  /** the upload asset holding the bytes */
  assetId: text('asset_id').notNull(),
  sha256: text('sha256').notNull(),
  fileName: text('file_name').notNull(),
  /** null: none yet (an auto-caption is on its way) */
  caption: text('caption'),
  captionSource: text('caption_source').notNull().default('none'), // none | user | auto | sample
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  origin: text('origin').notNull().default('upload'), // upload | sample
  sourceJobId: text('source_job_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('dataset_images_content_idx').on(t.characterId, t.sha256), index('dataset_images_created_idx').on(t.createdAt, t.id), index('dataset_images_character_idx').on(t.characterId, t.createdAt, t.id)]);

export const loras = pgTable('loras', {
  id: text('id').primaryKey(),
  /** the file's name without .safetensors, as ComfyUI lists it */
  name: text('name').notNull().unique(),
  characterId: text('character_id'),
  characterName: text('character_name').notNull(),
  triggerWord: text('trigger_word').notNull(),
  jobId: text('job_id').notNull().unique(),
  /** in the artifact store: loras/<name>.safetensors */
  relativePath: text('relative_path').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  steps: integer('steps').notNull(),
  baseModel: text('base_model').notNull(),
  arch: text('arch').notNull(),
  pool: text('pool').notNull(),
  host: text('host').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  secondsPerStep: doublePrecision('seconds_per_step'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('loras_character_idx').on(t.characterId)]);

export const gpuHosts = pgTable('gpu_hosts', {
  pool: text('pool').notNull(),
  host: text('host').notNull(),
  comfyUrl: text('comfy_url').notNull(),
  slots: integer('slots').notNull(),
  version: text('version').notNull(),
  pid: integer('pid'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeen: timestamp('last_seen', { withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp('stopped_at', { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.pool, t.host] })]);

export const gpuPools = pgTable('gpu_pools', {
  pool: text('pool').primaryKey(),
  pausedAt: timestamp('paused_at', { withTimezone: true }),
  pausedBy: text('paused_by'),
  reason: text('reason'),
});

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type CharacterRow = typeof characters.$inferSelect;
export type DatasetImageRow = typeof datasetImages.$inferSelect;
export type LoraRow = typeof loras.$inferSelect;
