// What the campaign pipeline asks the LLM and ComfyUI. The user prompts are plain `Key: value` lines, so a model
// (and the demo stand-in) reads the premise and a scene's context the same way each time.
import { neighboursOf, scenesOf, type IllustrationTarget, type Outline, type PlacedScene } from '../../workflows/campaign-outline.ts';
import { scenesWanted, type CampaignPremise } from '../../core/campaign/premise.ts';

export const OUTLINE_SYSTEM = `You plan tabletop role-playing campaigns (fifth-edition rules) for a game master.
Write a branching outline: acts in order, each with scenes in play order. The first scene of the first act is where play starts.
Every scene has a unique id (scene-1, scene-2, ...), a kind (combat, social, exploration, puzzle or downtime), a summary, the id of its location, the ids of the NPCs present, an encounter for combat scenes (creatures with counts and challenge ratings suited to the party, and a difficulty), rewards, and exits: the scenes the party can go to next, each with the condition that leads there.
Give the campaign branches: some scenes have two or more exits. Every branch must end in a scene whose "ending" says how the campaign ends there; only such ending scenes have no exits. Every scene must be reachable from the first one.
NPCs have an id (npc-...), a name, a role, a motive and a secret. Locations have an id (loc-...), a name and a description. Exits, NPCs and locations may only use ids defined in the outline.
Respect the content limits.`;

export function outlinePrompt(premise: CampaignPremise, instructions?: string): string {
  const scenes = scenesWanted(premise.sessions);
  const lines = [
    `Premise: ${premise.premise}`,
    premise.title && `Title idea: ${premise.title}`,
    premise.tone && `Tone: ${premise.tone}`,
    premise.setting && `Setting: ${premise.setting}`,
    `Party: ${premise.partySize} characters of level ${premise.level}`,
    `Sessions: ${premise.sessions}`,
    `Scenes: about ${scenes}, in ${Math.min(5, Math.max(2, Math.round(scenes / 4)))} acts`,
    premise.contentLimits && `Content limits: ${premise.contentLimits}`,
    instructions && `\nThe game master asks for a new outline: ${instructions}`,
  ];
  return lines.filter(Boolean).join('\n');
}

export const CHAPTER_SYSTEM = `You write one chapter of a tabletop campaign: the pages a game master runs one scene from.
Write Markdown with exactly these sections, in this order: "## Read-aloud" (boxed text to read to the players, second person), "## GM notes" (what is really going on, the NPCs' motives and secrets as they matter here), "## Encounter" (creatures, numbers, tactics; or how the scene can turn violent), "## Skill checks" (ability checks with DCs and what success and failure reveal), "## Consequences" (what each outcome changes and which scene follows, naming the exits).
Use the names, places and facts of the outline exactly as given; do not invent new names for existing people or places. Do not repeat the scene's title as a heading.`;

const sceneLine = (s: PlacedScene) => `- ${s.id} "${s.title}" (${s.kind}, ${s.act.title}): ${s.summary}`;

export function chapterPrompt(outline: Outline, sceneId: string, premise: CampaignPremise): string {
  const scenes = scenesOf(outline);
  const scene = scenes.find((s) => s.id === sceneId);
  if (!scene) throw new Error(`no scene "${sceneId}" in the outline`);
  const place = outline.locations.find((l) => l.id === scene.location);
  const npcs = scene.npcs.map((id) => outline.npcs.find((n) => n.id === id)).filter((n) => n !== undefined);
  const titleOf = (id: string) => scenes.find((s) => s.id === id)?.title ?? id;
  const { before, after } = neighboursOf(outline, sceneId);
  const encounter = scene.encounter ? `${scene.encounter.difficulty} — ${scene.encounter.creatures.map((c) => `${c.count} × ${c.name} (challenge ${c.challenge})`).join(', ')}` : 'none planned';
  return [
    `Campaign: ${outline.title}`,
    `Hook: ${outline.hook}`,
    `Party: ${premise.partySize} characters of level ${premise.level}`,
    premise.tone && `Tone: ${premise.tone}`,
    premise.contentLimits && `Content limits: ${premise.contentLimits}`,
    '',
    `Scene: ${scene.id}`,
    `Title: ${scene.title}`,
    `Act: ${scene.act.id} — ${scene.act.title}`,
    `Kind: ${scene.kind}`,
    `Summary: ${scene.summary}`,
    `Location: ${place ? `${place.id} — ${place.name}: ${place.description}` : scene.location}`,
    `NPCs present:${npcs.length ? '' : ' none'}`,
    ...npcs.map((n) => `- ${n.id} — ${n.name} (${n.role}): motive: ${n.motive}; secret: ${n.secret}`),
    `Encounter: ${encounter}`,
    `Rewards: ${scene.rewards.join('; ') || 'none'}`,
    `Exits:${scene.exits.length ? '' : ' none'}`,
    ...scene.exits.map((e) => `- to ${e.to} "${titleOf(e.to)}" when: ${e.condition}`),
    scene.ending ? `Ending: ${scene.ending}` : '',
    '',
    'Scenes leading here:', ...(before.length ? before.map(sceneLine) : ['- none: this is where play starts']),
    'Scenes that follow:', ...(after.length ? after.map(sceneLine) : ['- none: the campaign ends here']),
    '',
    'The whole campaign, for reference:',
    ...scenes.map((s) => `- ${s.id} "${s.title}" (${s.act.id})`),
    'NPCs:', ...outline.npcs.map((n) => `- ${n.id} — ${n.name} (${n.role})`),
    'Locations:', ...outline.locations.map((l) => `- ${l.id} — ${l.name}`),
  ].filter((line): line is string => typeof line === 'string').join('\n');
}

export const CHAPTER_SECTIONS = ['Read-aloud', 'GM notes', 'Encounter', 'Skill checks', 'Consequences'] as const;

/** the sections a chapter lacks (a real model may drop one); the chapter is kept and the person told */
export const missingSections = (text: string) => CHAPTER_SECTIONS.filter((s) => !new RegExp(`^#{1,3}\\s*${s}\\b`, 'mi').test(text));

export function illustrationPrompt(outline: Outline, target: IllustrationTarget, style: string): string {
  if (target.subject === 'npc') {
    const npc = outline.npcs.find((n) => n.id === target.id)!;
    return `${style}. Portrait of ${npc.name}, ${npc.role}; ${npc.motive}`.slice(0, 1200);
  }
  const scene = scenesOf(outline).find((s) => s.id === target.id)!;
  const place = outline.locations.find((l) => l.id === scene.location);
  return `${style}. ${scene.title}: ${scene.summary}${place ? ` Setting: ${place.name}, ${place.description}` : ''}`.slice(0, 1200);
}

export const ILLUSTRATION_NEGATIVE = 'text, letters, watermark, signature, blurry, extra limbs';
