// The pack's Markdown: an index (README.md: hook, acts, NPCs, locations, flowchart) and one file per act with
// each scene's outline and chapter. Links are relative and land on explicit anchors, so they resolve in any viewer.
import { scenesOf, type Outline, type PlacedScene } from '../../workflows/campaign-outline.ts';
import type { CampaignPremise } from '../../core/campaign/premise.ts';

export interface PackContent {
  outline: Outline;
  premise: CampaignPremise;
  /** scene id → chapter Markdown */
  chapters: Map<string, string>;
  /** target (`scene-<id>`, `npc-<id>`) → path of its image inside the pack */
  images: Map<string, string>;
  hasFlowchart: boolean;
}

export const actFile = (index: number) => `act-${index + 1}.md`;
const anchor = (id: string) => `<a id="${id}"></a>`;
/** a chapter's own headings go one level below the scene's */
const demote = (markdown: string) => markdown.replace(/^(#{1,5})(\s)/gm, '#$1$2');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function packMarkdown(content: PackContent): { name: string; text: string }[] {
  const { outline, premise } = content;
  const scenes = scenesOf(outline);
  const actIndex = new Map(outline.acts.map((act, i) => [act.id, i]));
  const sceneLink = (id: string, from: 'index' | number) => {
    const scene = scenes.find((s) => s.id === id);
    if (!scene) return oneLine(id);
    const file = actFile(actIndex.get(scene.act.id)!);
    return `[${oneLine(scene.title)}](${from === actIndex.get(scene.act.id) ? '' : file}#${scene.id})`;
  };
  const npcLink = (id: string) => {
    const npc = outline.npcs.find((n) => n.id === id);
    return npc ? `[${oneLine(npc.name)}](README.md#${npc.id})` : oneLine(id);
  };
  const placeLink = (id: string) => {
    const place = outline.locations.find((l) => l.id === id);
    return place ? `[${oneLine(place.name)}](README.md#${place.id})` : oneLine(id);
  };

  const index = [
    `# ${oneLine(outline.title)}`, '',
    `*${premise.partySize} characters of level ${premise.level}, about ${premise.sessions} session${premise.sessions === 1 ? '' : 's'}${premise.tone ? ` · ${oneLine(premise.tone)}` : ''}*`, '',
    '## Hook', '', outline.hook, '',
    ...(premise.contentLimits ? ['## Content limits', '', premise.contentLimits, ''] : []),
    ...(content.hasFlowchart ? ['## Flowchart', '', '![The scenes and how they connect](flowchart.png)', '', '[Flowchart as SVG](flowchart.svg) · [as Mermaid](flowchart.mmd)', ''] : []),
    '## Acts', '',
    ...outline.acts.flatMap((act, a) => [`### [${oneLine(act.title)}](${actFile(a)})`, '', act.summary, '', ...act.scenes.map((s, i) => `${i + 1}. ${sceneLink(s.id, 'index')} — ${s.kind}${s.ending ? ', ending' : ''}`), '']),
    '## Endings', '',
    ...scenes.filter((s) => s.ending).map((s) => `- ${sceneLink(s.id, 'index')}: ${oneLine(s.ending!)}`), '',
    '## NPCs', '',
    ...outline.npcs.flatMap((n) => [anchor(n.id), `### ${oneLine(n.name)}`, '', ...(content.images.has(`npc-${n.id}`) ? [`![${oneLine(n.name)}](${content.images.get(`npc-${n.id}`)})`, ''] : []),
      `- **Role:** ${oneLine(n.role)}`, `- **Motive:** ${oneLine(n.motive)}`, `- **Secret:** ${oneLine(n.secret)}`,
      `- **Appears in:** ${scenes.filter((s) => s.npcs.includes(n.id)).map((s) => sceneLink(s.id, 'index')).join(', ') || 'no scene yet'}`, '']),
    '## Locations', '',
    ...outline.locations.flatMap((l) => [anchor(l.id), `### ${oneLine(l.name)}`, '', l.description, '', `Scenes here: ${scenes.filter((s) => s.location === l.id).map((s) => sceneLink(s.id, 'index')).join(', ') || 'none'}`, '']),
  ];

  const sceneBlock = (scene: PlacedScene, a: number) => [
    anchor(scene.id),
    `## ${scene.act.scenes.findIndex((s) => s.id === scene.id) + 1}. ${oneLine(scene.title)}`, '',
    `*${scene.kind}* · at ${placeLink(scene.location)}${scene.npcs.length ? ` · with ${scene.npcs.map(npcLink).join(', ')}` : ''}`, '',
    ...(content.images.has(`scene-${scene.id}`) ? [`![${oneLine(scene.title)}](${content.images.get(`scene-${scene.id}`)})`, ''] : []),
    scene.summary, '',
    ...(scene.encounter ? [`**Encounter (${scene.encounter.difficulty}):** ${scene.encounter.creatures.map((c) => `${c.count} × ${oneLine(c.name)} (CR ${c.challenge})`).join(', ')}`, ''] : []),
    ...(scene.rewards.length ? [`**Rewards:** ${scene.rewards.map(oneLine).join('; ')}`, ''] : []),
    demote(content.chapters.get(scene.id) ?? '*The chapter for this scene was not written.*'), '',
    '### Where next', '',
    ...(scene.exits.length ? scene.exits.map((e) => `- ${sceneLink(e.to, a)} — ${oneLine(e.condition)}`) : []),
    ...(scene.ending ? [`- **The campaign ends here:** ${oneLine(scene.ending)}`] : []),
    ...(!scene.exits.length && !scene.ending ? ['- No exit: the game master decides what follows.'] : []),
    '',
  ];

  const acts = outline.acts.map((act, a) => ({
    name: actFile(a),
    text: [
      `# ${oneLine(act.title)}`, '', `[← Index](README.md)${a > 0 ? ` · [← ${oneLine(outline.acts[a - 1]!.title)}](${actFile(a - 1)})` : ''}${a < outline.acts.length - 1 ? ` · [${oneLine(outline.acts[a + 1]!.title)} →](${actFile(a + 1)})` : ''}`, '',
      act.summary, '',
      ...scenes.filter((s) => s.act.id === act.id).flatMap((s) => sceneBlock(s, a)),
    ].join('\n'),
  }));
  return [{ name: 'README.md', text: index.join('\n') }, ...acts];
}
