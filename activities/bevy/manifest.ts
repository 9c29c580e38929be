// assets/atelier.json: what Atelier wrote into a Bevy project, so a second deploy updates in place and undeploy
// removes exactly Atelier's own files. Paths are relative to assets/ (what asset_server.load takes).
import fs from 'node:fs/promises';
import { DeployRefused } from '../../core/bevy-roots.ts';

export const MANIFEST_NAME = 'atelier.json';

export interface ManifestEntry { sha256: string; bytes: number; job: string; sprite: string; kind: 'sprite' | 'atlas-json' | 'atlas-ron'; writtenAt: string }
export interface Manifest { generator: 'atelier'; version: 1; files: Record<string, ManifestEntry>; /** folders Atelier created (removed again when empty) */ dirs: string[] }

/** only names Atelier itself makes: a hand-edited manifest can never point a removal elsewhere */
export const OWN_PATH = /^[a-z0-9_]{1,40}\/[a-z0-9_]{1,60}(\.atlas\.json|\.atlas\.ron|\.png)$/;
export const OWN_DIR = /^[a-z0-9_]{1,40}$/;

export const emptyManifest = (): Manifest => ({ generator: 'atelier', version: 1, files: {}, dirs: [] });

export async function readManifest(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyManifest();
    throw error;
  }
  const refuse = (why: string) => new DeployRefused(`assets/${MANIFEST_NAME} ${why}: Atelier keeps its record of written files there; move that file away (or fix it) and deploy again`);
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse('is not valid JSON');
  }
  if (parsed?.generator !== 'atelier' || parsed.version !== 1 || typeof parsed.files !== 'object' || !parsed.files) throw refuse('is not an Atelier manifest (version 1)');
  const files: Record<string, ManifestEntry> = {};
  for (const [name, entry] of Object.entries(parsed.files)) {
    if (!OWN_PATH.test(name)) throw refuse(`names "${name}", which Atelier never writes`);
    if (typeof entry?.sha256 !== 'string' || typeof entry.job !== 'string') throw refuse(`has a damaged entry for "${name}"`);
    files[name] = entry;
  }
  return { generator: 'atelier', version: 1, files, dirs: (Array.isArray(parsed.dirs) ? parsed.dirs : []).filter((d): d is string => typeof d === 'string' && OWN_DIR.test(d)) };
}

export const manifestText = (manifest: Manifest) => JSON.stringify({ ...manifest, files: Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b))) }, null, 2) + '\n';
