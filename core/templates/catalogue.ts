// The template catalogue the API and the workers share: built-in graphs in comfy-templates/, the user's in
// ATELIER_TEMPLATES_DIR. Read once, and again only after a file in either folder changes (fs.watch), so a
// request never reads every manifest. A folder that cannot be watched (missing, or a file system without
// change events) is looked at again at most every few seconds.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkManifest, graphSchema, manifestSchema, TEMPLATE_ID, TemplateError, type ComfyGraph, type ComfyTemplate } from './manifest.ts';
import { checkBypasses } from './graph.ts';

export const BUILTIN_TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'comfy-templates');

export interface TemplateLoadError { file: string; error: string }
export interface TemplateSnapshot { templates: ComfyTemplate[]; errors: TemplateLoadError[]; /** counts loads: the same number, the same snapshot */ generation: number }

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    throw new TemplateError(`${path.basename(file)} cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is missing (a template is NAME.json plus NAME.manifest.json)' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TemplateError(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
}

async function loadTemplate(dir: string, id: string, source: ComfyTemplate['source']): Promise<ComfyTemplate> {
  const graphResult = graphSchema.safeParse(await readJson(path.join(dir, `${id}.json`)));
  if (!graphResult.success) throw new TemplateError(`${id}.json is not a ComfyUI graph in API format (export it with "Save (API Format)"): ${graphResult.error.issues[0]?.message}`);
  const manifestResult = manifestSchema.safeParse(await readJson(path.join(dir, `${id}.manifest.json`)));
  if (!manifestResult.success) {
    const issue = manifestResult.error.issues[0]!;
    throw new TemplateError(`${id}.manifest.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  const graph = graphResult.data as ComfyGraph;
  checkManifest(id, graph, manifestResult.data);
  const template: ComfyTemplate = { id, source, graph, manifest: manifestResult.data, title: manifestResult.data.title ?? id, description: manifestResult.data.description ?? '' };
  checkBypasses(template);
  return template;
}

async function loadFolder(dir: string, source: ComfyTemplate['source']) {
  const templates: ComfyTemplate[] = [];
  const errors: TemplateLoadError[] = [];
  let files: string[];
  try {
    files = await fsp.readdir(dir);
  } catch {
    return { templates, errors: source === 'user' ? [{ file: dir, error: `templates folder ${dir} cannot be read` }] : errors };
  }
  for (const file of files.filter((f) => f.endsWith('.manifest.json')).sort()) {
    const id = file.slice(0, -'.manifest.json'.length);
    try {
      if (!TEMPLATE_ID.test(id)) throw new TemplateError(`template name "${id}" must use letters, digits, _ and - only`);
      templates.push(await loadTemplate(dir, id, source));
    } catch (error) {
      errors.push({ file: path.join(dir, file), error: error instanceof TemplateError ? error.message : String(error) });
    }
  }
  return { templates, errors };
}

/** Reads both folders now (tests and one-off scripts; long-running processes use a catalogue). */
export async function loadTemplates(userDir?: string): Promise<Omit<TemplateSnapshot, 'generation'>> {
  const builtin = await loadFolder(BUILTIN_TEMPLATES_DIR, 'builtin');
  const user = userDir ? await loadFolder(userDir, 'user') : { templates: [], errors: [] };
  const taken = new Set(builtin.templates.map((t) => t.id));
  const errors = [...builtin.errors, ...user.errors];
  for (const template of user.templates.filter((t) => taken.has(t.id))) {
    errors.push({ file: path.join(userDir!, `${template.id}.manifest.json`), error: `template "${template.id}" has the name of a built-in template: rename the file pair` });
  }
  return { templates: [...builtin.templates, ...user.templates.filter((t) => !taken.has(t.id))], errors };
}

export function pickTemplate(snapshot: Omit<TemplateSnapshot, 'generation'>, id: string): ComfyTemplate {
  const template = snapshot.templates.find((t) => t.id === id);
  if (template) return template;
  const broken = snapshot.errors.find((e) => path.basename(e.file) === `${id}.manifest.json`);
  if (broken) throw new TemplateError(broken.error);
  throw new TemplateError(`no template "${id}": choose one of ${snapshot.templates.map((t) => t.id).join(', ')}`);
}

const UNWATCHED_RECHECK_MS = 3000;

export function templateCatalogue(options: { userDir?: string } = {}) {
  const folders = [BUILTIN_TEMPLATES_DIR, ...(options.userDir ? [options.userDir] : [])];
  const watchers = new Map<string, fs.FSWatcher>();
  let snapshot: TemplateSnapshot | undefined;
  let loading: Promise<TemplateSnapshot> | undefined;
  let dirty = true;
  let lastUnwatchedCheck = 0;
  let closed = false;

  const watch = (dir: string) => {
    if (watchers.has(dir) || closed) return;
    try {
      const watcher = fs.watch(dir, { persistent: false }, () => { dirty = true; });
      // the folder was removed or renamed: read it again (it may be gone) and try to watch it later
      watcher.on('error', () => { dirty = true; watcher.close(); watchers.delete(dir); });
      watchers.set(dir, watcher);
    } catch {
      /* missing or unwatchable: looked at again on a later request */
    }
  };

  async function load(): Promise<TemplateSnapshot> {
    dirty = false;
    for (const dir of folders) watch(dir);
    const loaded = await loadTemplates(options.userDir);
    snapshot = { ...loaded, generation: (snapshot?.generation ?? 0) + 1 };
    return snapshot;
  }

  return {
    /** The templates as they are on disk now, read again only when something changed. */
    async snapshot(): Promise<TemplateSnapshot> {
      if (folders.some((dir) => !watchers.has(dir)) && Date.now() - lastUnwatchedCheck >= UNWATCHED_RECHECK_MS) {
        lastUnwatchedCheck = Date.now();
        dirty = true;
      }
      if (!dirty && snapshot) return snapshot;
      loading ??= load().finally(() => { loading = undefined; });
      return loading;
    },
    async find(id: string): Promise<ComfyTemplate> {
      return pickTemplate(await this.snapshot(), id);
    },
    close(): void {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

export type TemplateCatalogue = ReturnType<typeof templateCatalogue>;
