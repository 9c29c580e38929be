// A campaign's outline and the checks on its scene graph. Plain code (no I/O, no zod): the workflow's review
// validator, the activities, the API and the UI all use it. The zod schema for LLM replies is core/campaign/outline.ts.
export const SCENE_KINDS = ['combat', 'social', 'exploration', 'puzzle', 'downtime'] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard', 'deadly'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface Creature { name: string; count: number; challenge: number }
export interface Encounter { difficulty: Difficulty; creatures: Creature[] }
/** a branch: where the party may go next, and when */
export interface SceneExit { to: string; condition: string }
export interface Scene {
  id: string;
  title: string;
  kind: SceneKind;
  summary: string;
  /** a location id */
  location: string;
  /** npc ids present */
  npcs: string[];
  encounter?: Encounter | null;
  rewards: string[];
  exits: SceneExit[];
  /** set on a scene that closes a branch: how the campaign ends there */
  ending?: string | null;
}
export interface Act { id: string; title: string; summary: string; scenes: Scene[] }
export interface Npc { id: string; name: string; role: string; motive: string; secret: string }
export interface Place { id: string; name: string; description: string }
export interface Outline { title: string; hook: string; acts: Act[]; npcs: Npc[]; locations: Place[] }

export interface PlacedScene extends Scene { act: Act; index: number }

/** every scene in reading order, with its act */
export function scenesOf(outline: Outline): PlacedScene[] {
  let index = 0;
  return outline.acts.flatMap((act) => act.scenes.map((scene) => ({ ...scene, act, index: index++ })));
}

const listed = (ids: string[], limit = 12) => ids.slice(0, limit).join(', ') + (ids.length > limit ? ` (and ${ids.length - limit} more)` : '');
const isText = (v: unknown) => typeof v === 'string' && v.trim().length > 0;

/**
 * References that must hold for the outline to be used: unique ids, exits to scenes that exist, NPCs and locations
 * that exist. Problems in words the LLM (or a person) can act on; empty when fine. Defensive: any JSON may come in.
 */
export function referenceProblems(outline: Outline): string[] {
  const problems: string[] = [];
  if (!outline || typeof outline !== 'object') return ['the outline must be an object with title, hook, acts, npcs and locations'];
  if (!isText(outline.title)) problems.push('the outline needs a title');
  if (!Array.isArray(outline.acts) || !outline.acts.length) return [...problems, 'the outline needs at least one act with scenes'];
  const npcs = Array.isArray(outline.npcs) ? outline.npcs : [];
  const places = Array.isArray(outline.locations) ? outline.locations : [];
  const duplicates = (what: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`two ${what} share the id "${id}": give each its own id`);
      seen.add(id);
    }
    return seen;
  };
  const actIds: string[] = [];
  const sceneIds: string[] = [];
  for (const [a, act] of outline.acts.entries()) {
    if (!act || !isText(act.id) || !isText(act.title)) { problems.push(`act ${a + 1} needs an id and a title`); continue; }
    actIds.push(act.id);
    if (!Array.isArray(act.scenes) || !act.scenes.length) { problems.push(`act "${act.id}" has no scenes: add one or remove the act`); continue; }
    for (const [s, scene] of act.scenes.entries()) {
      if (!scene || !isText(scene.id) || !isText(scene.title)) problems.push(`scene ${s + 1} of act "${act.id}" needs an id and a title`);
      else sceneIds.push(scene.id);
    }
  }
  duplicates('acts', actIds);
  const scenes = duplicates('scenes', sceneIds);
  const npcIds = duplicates('NPCs', npcs.filter((n) => n && isText(n.id)).map((n) => n.id));
  const placeIds = duplicates('locations', places.filter((p) => p && isText(p.id)).map((p) => p.id));
  for (const act of outline.acts) {
    for (const scene of act?.scenes ?? []) {
      if (!scene || !isText(scene.id)) continue;
      const name = `scene "${scene.id}" (${scene.title})`;
      for (const exit of Array.isArray(scene.exits) ? scene.exits : []) {
        if (exit?.to === scene.id) problems.push(`${name} has an exit to itself: remove it`);
        else if (!scenes.has(exit?.to)) problems.push(`${name} has an exit to "${exit?.to}", which is not a scene: point it at one of ${listed([...scenes])}, or remove it`);
      }
      for (const npc of Array.isArray(scene.npcs) ? scene.npcs : []) {
        if (!npcIds.has(npc)) problems.push(`${name} names the NPC "${npc}", which is not in the NPC list: add that NPC or use one of ${listed([...npcIds]) || '(none yet)'}`);
      }
      if (scene.location && !placeIds.has(scene.location)) problems.push(`${name} takes place at "${scene.location}", which is not in the locations: add it or use one of ${listed([...placeIds]) || '(none yet)'}`);
    }
  }
  return problems;
}

export interface StoryReport {
  /** scenes no path from the first scene reaches */
  unreachable: string[];
  /** scenes with no exit that do not end the campaign */
  deadEnds: string[];
  /** encounters far above the party's level */
  overmatched: string[];
  /** the same in sentences, for the person reviewing */
  problems: string[];
}

/** What a person decides about (the outline is usable either way): unreachable scenes, dead ends, deadly mismatches. */
export function storyReport(outline: Outline, partyLevel?: number): StoryReport {
  const scenes = scenesOf(outline);
  const byId = new Map(scenes.map((s) => [s.id, s]));
  const reached = new Set<string>();
  const queue = scenes.length ? [scenes[0]!.id] : [];
  while (queue.length) {
    const id = queue.shift()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const exit of byId.get(id)?.exits ?? []) if (byId.has(exit.to) && !reached.has(exit.to)) queue.push(exit.to);
  }
  const unreachable = scenes.filter((s) => !reached.has(s.id)).map((s) => s.id);
  const deadEnds = scenes.filter((s) => !s.exits?.length && !(typeof s.ending === 'string' && s.ending.trim())).map((s) => s.id);
  const overmatched = partyLevel === undefined ? [] : scenes.filter((s) => s.encounter?.creatures?.some((c) => c.challenge > partyLevel + 4)).map((s) => s.id);
  const title = (id: string) => `"${byId.get(id)?.title ?? id}" (${id})`;
  const problems: string[] = [];
  if (unreachable.length) problems.push(`${unreachable.length === 1 ? 'scene' : `${unreachable.length} scenes`} ${unreachable.map(title).join(', ')} cannot be reached from the first scene: add an exit into ${unreachable.length === 1 ? 'it' : 'them'}, remove ${unreachable.length === 1 ? 'it' : 'them'}, or approve as is`);
  if (deadEnds.length) problems.push(`${deadEnds.length === 1 ? 'scene' : `${deadEnds.length} scenes`} ${deadEnds.map(title).join(', ')} ${deadEnds.length === 1 ? 'has' : 'have'} no exit and no ending: add an exit or write the ending there`);
  if (overmatched.length) problems.push(`the encounters of ${overmatched.map(title).join(', ')} have creatures far above level ${partyLevel}: lower them or approve as is`);
  return { unreachable, deadEnds, overmatched, problems };
}

/** the scenes leading into this one and those it leads to: a chapter's context */
export function neighboursOf(outline: Outline, sceneId: string): { before: PlacedScene[]; after: PlacedScene[] } {
  const scenes = scenesOf(outline);
  const self = scenes.find((s) => s.id === sceneId);
  return {
    before: scenes.filter((s) => s.exits.some((e) => e.to === sceneId)),
    after: (self?.exits ?? []).map((e) => scenes.find((s) => s.id === e.to)).filter((s): s is PlacedScene => Boolean(s)),
  };
}

export type IllustrationMode = 'none' | 'key' | 'all';
export interface IllustrationTarget { target: string; label: string; subject: 'scene' | 'npc'; id: string }

/** What gets a picture: key scenes are each act's first scene and every ending; NPCs when asked. */
export function illustrationTargets(outline: Outline, mode: IllustrationMode, npcs: boolean): IllustrationTarget[] {
  const targets: IllustrationTarget[] = [];
  if (mode !== 'none') {
    for (const scene of scenesOf(outline)) {
      const key = scene.act.scenes[0]?.id === scene.id || Boolean(scene.ending);
      if (mode === 'all' || key) targets.push({ target: `scene-${scene.id}`, label: scene.title, subject: 'scene', id: scene.id });
    }
  }
  if (npcs) for (const npc of outline.npcs) targets.push({ target: `npc-${npc.id}`, label: npc.name, subject: 'npc', id: npc.id });
  return targets;
}
