// The campaign pages' logic, kept out of the components so it is tested alone: the premise form, chapter text
// arriving in events, and edits to an outline (reorder, add, remove acts and scenes; exits kept pointing somewhere).
import type { Outline, Scene, SceneKind } from '../../../workflows/campaign-outline.ts';
import { SCENE_KINDS } from '../../../workflows/campaign-outline.ts';
import type { Job, JobEvent, PipelineState } from './types.ts';

export type { Outline, Scene, SceneKind };
export { SCENE_KINDS };

export interface CampaignSummary { id: string; title: string; status: string | null; stage: string | null; error: string | null; scenes: number; chapters: number; createdAt: string; premise: Record<string, unknown> }
export interface Illustration { target: string; label: string; prompt: string; assetId: string; revision: number; url: string }
export interface CampaignDetail {
  campaign: { jobId: string; title: string; premise: Record<string, unknown>; outline: Outline | null; outlineRevision: number; problems: string[]; files: Record<string, string> };
  job: Job | null;
  state: PipelineState | null;
  chapters: { sceneId: string; text: string; writes: number; writtenAt: string }[];
  illustrations: Illustration[];
  links: { export: string | null; handout: string | null; svg: string | null; png: string | null; mermaid: string | null; temporal: string | null };
}

export interface PremiseForm { premise: string; title: string; tone: string; setting: string; partySize: number; level: number; sessions: number; contentLimits: string; reviewOutline: boolean; illustrate: 'none' | 'key' | 'all'; illustrateNpcs: boolean; style: string }

export const defaultPremise = (): PremiseForm => ({ premise: '', title: '', tone: '', setting: '', partySize: 4, level: 3, sessions: 3, contentLimits: '', reviewOutline: true, illustrate: 'key', illustrateNpcs: true, style: '' });

export function premiseProblems(form: PremiseForm): Partial<Record<keyof PremiseForm, string>> {
  const problems: Partial<Record<keyof PremiseForm, string>> = {};
  if (form.premise.trim().length < 10) problems.premise = 'Describe the campaign in a sentence or more (at least 10 characters).';
  if (form.premise.length > 4000) problems.premise = 'Keep the premise under 4000 characters.';
  const whole = (name: 'partySize' | 'level' | 'sessions', min: number, max: number, what: string) => {
    if (!Number.isInteger(form[name]) || form[name] < min || form[name] > max) problems[name] = `${what} is a whole number from ${min} to ${max}.`;
  };
  whole('partySize', 1, 10, 'Party size');
  whole('level', 1, 20, 'Level');
  whole('sessions', 1, 20, 'Sessions');
  return problems;
}

/** the POST /api/campaigns body: empty optional texts left out */
export function premiseRequest(form: PremiseForm): Record<string, unknown> {
  const text = (value: string) => value.trim() || undefined;
  return { premise: form.premise.trim(), title: text(form.title), tone: text(form.tone), setting: text(form.setting), contentLimits: text(form.contentLimits), style: text(form.style), partySize: form.partySize, level: form.level, sessions: form.sessions, reviewOutline: form.reviewOutline, illustrate: form.illustrate, illustrateNpcs: form.illustrateNpcs };
}

export interface LiveChapter { text: string; attempt: number; writing: boolean }

/** chapter text as it streams: pieces placed by offset; a new attempt starts the text again */
export function applyChapterEvent(chapters: Map<string, LiveChapter>, event: Pick<JobEvent, 'type' | 'data'>): boolean {
  const scene = typeof event.data.scene === 'string' ? event.data.scene : undefined;
  if (!scene) return false;
  const current = chapters.get(scene);
  const attempt = Number(event.data.attempt ?? current?.attempt ?? 1);
  if (event.type === 'chapter.started') {
    chapters.set(scene, { text: '', attempt, writing: true });
    return true;
  }
  if (event.type === 'chapter.text') {
    const base = current && current.attempt === attempt ? current : { text: '', attempt, writing: true };
    const offset = Number(event.data.offset ?? base.text.length);
    chapters.set(scene, { text: base.text.slice(0, offset) + String(event.data.text ?? ''), attempt, writing: true });
    return true;
  }
  if (event.type === 'chapter.written' || event.type === 'chapter.cancelled') {
    if (current) chapters.set(scene, { ...current, writing: false });
    return Boolean(current);
  }
  return false;
}

// ---- outline edits (the editor works on a copy; these return nothing and change it in place) ----

const nextId = (taken: string[], prefix: string) => {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${prefix}-${n}`)) return `${prefix}-${n}`;
};
const sceneIds = (outline: Outline) => outline.acts.flatMap((a) => a.scenes.map((s) => s.id));

export function move<T>(list: T[], index: number, by: -1 | 1): void {
  const to = index + by;
  if (to < 0 || to >= list.length) return;
  [list[index], list[to]] = [list[to]!, list[index]!];
}

export function addAct(outline: Outline): void {
  const id = nextId(outline.acts.map((a) => a.id), 'act');
  outline.acts.push({ id, title: `Act ${outline.acts.length + 1}`, summary: 'What happens in this act.', scenes: [] });
  addScene(outline, outline.acts.length - 1);
}

export function addScene(outline: Outline, actIndex: number): Scene {
  const scene: Scene = { id: nextId(sceneIds(outline), 'scene'), title: 'A new scene', kind: 'exploration', summary: 'What happens here.', location: outline.locations[0]?.id ?? '', npcs: [], encounter: null, rewards: [], exits: [], ending: null };
  outline.acts[actIndex]!.scenes.push(scene);
  return scene;
}

/** removes a scene and every exit that led to it; returns how many exits went with it */
export function removeScene(outline: Outline, sceneId: string): number {
  let removed = 0;
  for (const act of outline.acts) {
    act.scenes = act.scenes.filter((s) => s.id !== sceneId);
    for (const scene of act.scenes) {
      const before = scene.exits.length;
      scene.exits = scene.exits.filter((e) => e.to !== sceneId);
      removed += before - scene.exits.length;
    }
  }
  return removed;
}

export function removeAct(outline: Outline, actIndex: number): number {
  const act = outline.acts[actIndex];
  if (!act || outline.acts.length === 1) return 0;
  let removed = 0;
  for (const scene of [...act.scenes]) removed += removeScene(outline, scene.id);
  outline.acts.splice(outline.acts.indexOf(act), 1);
  return removed;
}

export function moveSceneToAct(outline: Outline, sceneId: string, actIndex: number): void {
  const from = outline.acts.find((a) => a.scenes.some((s) => s.id === sceneId));
  const to = outline.acts[actIndex];
  if (!from || !to || from === to) return;
  const scene = from.scenes.find((s) => s.id === sceneId)!;
  from.scenes = from.scenes.filter((s) => s.id !== sceneId);
  to.scenes.push(scene);
}

/** what would stop the workflow taking the edit, said before sending it */
export function outlineEditProblems(outline: Outline): string[] {
  const problems: string[] = [];
  const ids = new Set(sceneIds(outline));
  outline.acts.forEach((act, a) => {
    if (!act.title.trim()) problems.push(`Act ${a + 1} needs a title.`);
    if (!act.scenes.length) problems.push(`"${act.title || `Act ${a + 1}`}" has no scenes: add one or remove the act.`);
    for (const scene of act.scenes) {
      if (!scene.title.trim()) problems.push(`Scene ${scene.id} needs a title.`);
      if (!scene.summary.trim()) problems.push(`"${scene.title}" needs a summary.`);
      for (const exit of scene.exits) {
        if (!ids.has(exit.to)) problems.push(`"${scene.title}" has an exit to a scene that is gone: choose where it leads.`);
        if (!exit.condition.trim()) problems.push(`An exit of "${scene.title}" needs a condition.`);
      }
    }
  });
  return problems;
}

/** a campaign job's own page (regeneration jobs belong to their campaign) */
export const campaignPath = (jobId: string) => `/campaigns/${encodeURIComponent(jobId.split('.again.')[0]!)}`;
