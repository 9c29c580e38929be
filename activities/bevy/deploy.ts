// Deploy kept sprites into a Bevy project's assets/ and take them out again. The plan comes first (what each
// file would become); nothing is written while any file is refused, and only files in assets/atelier.json that
// still hold what Atelier wrote are ever replaced or removed without --force.
import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { DeployRefused } from '../../core/bevy-roots.ts';
import { assetPathFor, CATEGORY_FOLDERS } from '../../core/sprite-names.ts';
import { atlasJson, atlasRon, loadLines, type AtlasGrid } from '../../core/bevy-atlas.ts';
import type { SpriteCategory } from '../../core/sprites-input.ts';
import { manifestText, MANIFEST_NAME, OWN_PATH, readManifest, type Manifest, type ManifestEntry } from './manifest.ts';
import { ensureAssetFolder, existing, projectFolders, withProjectLock, writeInPlace } from './project-files.ts';

export interface DeploySprite { spriteId: string; name: string; category: SpriteCategory; bytes: Uint8Array; atlas?: AtlasGrid | null }

export type FileAction = 'create' | 'update' | 'unchanged' | 'overwrite' | 'remove' | 'keep' | 'refused';
export interface PlannedFile { path: string; action: FileAction; bytes?: number; sprite?: string; reason?: string }
export interface DeployResult {
  project: string;
  dryRun: boolean;
  files: PlannedFile[];
  loadLines: { sprite: string; path: string; lines: string[] }[];
  manifest: string;
}

const sha = (bytes: Uint8Array | string) => crypto.createHash('sha256').update(bytes).digest('hex');
const NAME = /^[a-z0-9_]{1,60}$/;

interface Wanted { rel: string; bytes: Uint8Array; sprite: string; kind: ManifestEntry['kind'] }

function wantedFiles(sprites: DeploySprite[]): Wanted[] {
  const files: Wanted[] = [];
  for (const sprite of sprites) {
    if (!NAME.test(sprite.name)) throw new DeployRefused(`sprite ${sprite.spriteId} has the name "${sprite.name}", which is not a safe file name (a-z, 0-9, _)`);
    if (!(sprite.category in CATEGORY_FOLDERS)) throw new DeployRefused(`sprite ${sprite.spriteId} has no known category ("${sprite.category}")`);
    files.push({ rel: assetPathFor(sprite.category, sprite.name), bytes: sprite.bytes, sprite: sprite.spriteId, kind: 'sprite' });
    if (sprite.atlas) {
      files.push({ rel: assetPathFor(sprite.category, sprite.name, '.atlas.json'), bytes: Buffer.from(atlasJson(sprite.atlas)), sprite: sprite.spriteId, kind: 'atlas-json' });
      files.push({ rel: assetPathFor(sprite.category, sprite.name, '.atlas.ron'), bytes: Buffer.from(atlasRon(sprite.atlas)), sprite: sprite.spriteId, kind: 'atlas-ron' });
    }
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.rel)) throw new DeployRefused(`two sprites would both be written to assets/${file.rel}: give them different names`);
    seen.add(file.rel);
  }
  return files;
}

export async function deployToProject(request: { jobId: string; projectDir: string; roots: string[]; sprites: DeploySprite[]; force: boolean; dryRun: boolean }): Promise<DeployResult> {
  const wanted = wantedFiles(request.sprites);
  const folders = await projectFolders(request.projectDir, request.roots, !request.dryRun);
  const manifestFile = path.join(folders.assets, MANIFEST_NAME);

  const plan = async () => {
    const manifest = await readManifest(manifestFile);
    const files: (PlannedFile & { want?: Wanted; stale?: boolean })[] = [];
    for (const want of wanted) {
      const at = await existing(path.join(folders.assets, want.rel));
      const entry = manifest.files[want.rel];
      const planned = { path: `assets/${want.rel}`, bytes: want.bytes.length, sprite: want.sprite, want };
      if (at.kind === 'none') files.push({ ...planned, action: 'create' });
      else if (at.kind !== 'file') files.push({ ...planned, action: 'refused', reason: `assets/${want.rel} is ${at.kind === 'link' ? 'a symbolic link' : 'not a regular file'}: Atelier never writes through it; move it away` });
      else if (entry && entry.job === request.jobId && entry.sha256 === at.sha256) files.push({ ...planned, action: at.sha256 === sha(want.bytes) ? 'unchanged' : 'update' });
      else if (request.force) files.push({ ...planned, action: 'overwrite' });
      else {
        const why = !entry ? 'exists and Atelier did not write it'
          : entry.job !== request.jobId ? `was deployed by job ${entry.job}` : 'was changed since Atelier wrote it';
        files.push({ ...planned, action: 'refused', reason: `assets/${want.rel} ${why}: pass --force (force: true) to overwrite it, or rename the sprite` });
      }
    }
    // this job's files from an earlier deploy that are no longer wanted
    for (const [rel, entry] of Object.entries(manifest.files)) {
      if (entry.job !== request.jobId || wanted.some((w) => w.rel === rel)) continue;
      const at = await existing(path.join(folders.assets, rel));
      const ours = at.kind === 'file' && at.sha256 === entry.sha256;
      files.push({ path: `assets/${rel}`, sprite: entry.sprite, stale: true, action: at.kind === 'none' || ours || (request.force && at.kind === 'file') ? 'remove' : 'keep', reason: ours || at.kind === 'none' ? undefined : 'changed since Atelier wrote it: left in place' });
    }
    return { manifest, files };
  };

  const result = (files: PlannedFile[]): DeployResult => ({
    project: folders.project, dryRun: request.dryRun, manifest: `assets/${MANIFEST_NAME}`,
    files: files.map(({ path: p, action, bytes, sprite, reason }) => ({ path: p, action, bytes, sprite, reason })),
    loadLines: request.sprites.map((s) => ({ sprite: s.spriteId, path: assetPathFor(s.category, s.name), lines: loadLines(assetPathFor(s.category, s.name), s.atlas ?? undefined) })),
  });

  if (request.dryRun) return result((await plan()).files);
  return withProjectLock(folders.assets, async () => {
    const { manifest, files } = await plan();
    const refused = files.filter((f) => f.action === 'refused');
    if (refused.length) throw new DeployRefused(`nothing was written: ${refused.map((f) => f.reason).join('; ')}`);
    const now = new Date().toISOString();
    for (const file of files) {
      if (file.stale) {
        if (file.action === 'remove') await fs.rm(path.join(folders.assets, file.path.slice('assets/'.length)), { force: true });
        delete manifest.files[file.path.slice('assets/'.length)];
        continue;
      }
      const want = file.want!;
      const folder = want.rel.split('/')[0]!;
      if ((await ensureAssetFolder(folders.assets, folder)) && !manifest.dirs.includes(folder)) manifest.dirs.push(folder);
      if (file.action !== 'unchanged') await writeInPlace(path.join(folders.assets, want.rel), want.bytes);
      const previous = manifest.files[want.rel];
      manifest.files[want.rel] = { sha256: sha(want.bytes), bytes: want.bytes.length, job: request.jobId, sprite: want.sprite, kind: want.kind, writtenAt: file.action === 'unchanged' && previous ? previous.writtenAt : now };
    }
    await pruneFolders(folders.assets, manifest);
    await writeInPlace(manifestFile, Buffer.from(manifestText(manifest)));
    return result(files);
  });
}

/** folders Atelier created that none of its files use any more go, when empty (the game's own files keep theirs) */
async function pruneFolders(assets: string, manifest: Manifest): Promise<void> {
  const used = new Set(Object.keys(manifest.files).map((rel) => rel.split('/')[0]));
  for (const dir of [...manifest.dirs]) {
    if (used.has(dir)) continue;
    // rmdir refuses a folder that is not empty
    const removed = await fs.rmdir(path.join(assets, dir)).then(() => true, () => false);
    if (removed) manifest.dirs = manifest.dirs.filter((d) => d !== dir);
  }
}

export async function undeployFromProject(request: { jobId: string; projectDir: string; roots: string[]; force: boolean; dryRun: boolean }): Promise<DeployResult> {
  const folders = await projectFolders(request.projectDir, request.roots, false);
  const manifestFile = path.join(folders.assets, MANIFEST_NAME);
  const plan = async () => {
    const manifest = await readManifest(manifestFile);
    const files: PlannedFile[] = [];
    for (const [rel, entry] of Object.entries(manifest.files)) {
      if (entry.job !== request.jobId || !OWN_PATH.test(rel)) continue;
      const at = await existing(path.join(folders.assets, rel));
      const ours = at.kind === 'file' && at.sha256 === entry.sha256;
      const removable = at.kind === 'none' || ours || (request.force && at.kind === 'file');
      files.push({ path: `assets/${rel}`, sprite: entry.sprite, action: removable ? 'remove' : 'keep', reason: removable ? undefined : `assets/${rel} was changed since Atelier wrote it: left in place (--force removes it)` });
    }
    return { manifest, files };
  };
  const result = (files: PlannedFile[]): DeployResult => ({ project: folders.project, dryRun: request.dryRun, files, loadLines: [], manifest: `assets/${MANIFEST_NAME}` });
  if (request.dryRun) return result((await plan()).files);
  if ((await existing(manifestFile)).kind === 'none') return result([]);
  return withProjectLock(folders.assets, async () => {
    const { manifest, files } = await plan();
    for (const file of files) {
      const rel = file.path.slice('assets/'.length);
      if (file.action === 'remove') await fs.rm(path.join(folders.assets, rel), { force: true });
      delete manifest.files[rel];
    }
    await pruneFolders(folders.assets, manifest);
    if (!Object.keys(manifest.files).length) await fs.rm(manifestFile, { force: true });
    else await writeInPlace(manifestFile, Buffer.from(manifestText(manifest)));
    return result(files);
  });
}
