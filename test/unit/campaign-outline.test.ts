// The campaign outline's checks: references that must hold (asked of the LLM again), and what a person decides
// (unreachable scenes, dead ends); the stand-in's outlines and their faults; illustration targets; chapter prompts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { illustrationTargets, neighboursOf, referenceProblems, scenesOf, storyReport } from '../../workflows/campaign-outline.ts';
import { outlineSchema } from '../../core/campaign/outline.ts';
import { chapterPrompt, missingSections, outlinePrompt } from '../../activities/campaign/prompts.ts';
import { campaignInputSchema } from '../../core/campaign/premise.ts';
import { campaignChapter } from '../../infra/local/openai-standin/replies/campaign-chapter.ts';
import { seededRandom } from '../../infra/local/openai-standin/replies/random.ts';
import type { ChatView } from '../../infra/local/openai-standin/replies/request.ts';
import { standinOutline } from '../fixtures/campaign-outlines.ts';

test("the stand-in's outline fits the schema, with consistent ids, branches, endings, NPCs and locations", () => {
  for (const scenes of [8, 9, 20, 40]) {
    const outline = standinOutline({ scenes, acts: Math.min(5, Math.round(scenes / 4)) });
    assert.ok(outlineSchema.safeParse(outline).success);
    assert.deepEqual(referenceProblems(outline), []);
    assert.deepEqual(storyReport(outline, 3).problems, []);
    const all = scenesOf(outline);
    assert.equal(all.length, scenes);
    assert.ok(all.filter((s) => s.exits.length > 1).length >= 2, 'branches');
    assert.equal(all.filter((s) => s.ending).length, 2, 'two endings');
    assert.ok(outline.npcs.length >= 3 && outline.locations.length >= 3);
  }
});

test('exits to unknown scenes, unknown NPCs and locations, and duplicate ids are problems in words', () => {
  const outline = standinOutline();
  const broken = structuredClone(outline);
  const [first, second] = broken.acts[0]!.scenes;
  first!.exits.push({ to: 'scene-77', condition: 'never' });
  first!.npcs.push('npc-ghost');
  second!.location = 'loc-moon';
  second!.id = first!.id;
  const problems = referenceProblems(broken).join('\n');
  assert.match(problems, /scene "scene-1" \(.+\) has an exit to "scene-77", which is not a scene: point it at one of scene-1, /);
  assert.match(problems, /names the NPC "npc-ghost", which is not in the NPC list/);
  assert.match(problems, /takes place at "loc-moon", which is not in the locations/);
  assert.match(problems, /two scenes share the id "scene-1"/);
  assert.deepEqual(referenceProblems({} as never), ['the outline needs a title', 'the outline needs at least one act with scenes']);
  assert.match(referenceProblems('nonsense' as never)[0]!, /must be an object/);
  for (const fault of ['missing-exit', 'unknown-npc']) assert.equal(referenceProblems(standinOutline({ fault })).length, 1, fault);
});

test('unreachable scenes, dead ends and overmatched encounters are reported for the person, naming the scenes', () => {
  const lost = storyReport(standinOutline({ fault: 'unreachable' }), 3);
  assert.deepEqual(lost.unreachable, ['scene-lost']);
  assert.match(lost.problems[0]!, /"The Forgotten Vault" \(scene-lost\) cannot be reached from the first scene/);
  const dead = storyReport(standinOutline({ fault: 'dead-end' }), 3);
  assert.deepEqual(dead.deadEnds, ['scene-dead']);
  assert.match(dead.problems[0]!, /has no exit and no ending/);
  const outline = standinOutline();
  outline.acts[0]!.scenes[0]!.encounter = { difficulty: 'deadly', creatures: [{ name: 'Ancient dragon', count: 1, challenge: 20 }] };
  assert.match(storyReport(outline, 3).problems.join(' '), /creatures far above level 3/);
});

test("a chapter's prompt carries the outline, the scene and its neighbours; the stand-in's chapter uses their names", () => {
  const outline = standinOutline();
  const premise = campaignInputSchema.parse({ premise: 'A lighthouse keeper vanished in the fog.', tone: 'eerie' });
  const scene = outline.acts[0]!.scenes[1]!;
  const { before, after } = neighboursOf(outline, scene.id);
  const prompt = chapterPrompt(outline, scene.id, premise);
  assert.match(prompt, new RegExp(`^Scene: ${scene.id}$`, 'm'));
  assert.match(prompt, new RegExp(`^Title: ${scene.title}$`, 'm'));
  for (const other of [...before, ...after]) assert.ok(prompt.includes(`${other.id} "${other.title}"`), other.id);
  const npc = outline.npcs.find((n) => n.id === scene.npcs[0])!;
  assert.ok(prompt.includes(`${npc.name} (${npc.role}): motive: ${npc.motive}`));
  const text = campaignChapter({ user: prompt, system: '', random: seededRandom(3) } as unknown as ChatView);
  assert.deepEqual(missingSections(text), []);
  assert.ok(text.includes(npc.name) && text.includes(scene.title));
  for (const exit of scene.exits) assert.ok(text.includes(`(${exit.to})`), `names the exit to ${exit.to}`);
  assert.deepEqual(missingSections('## Read-aloud\n\nhi\n## GM notes'), ['Encounter', 'Skill checks', 'Consequences']);
  assert.match(outlinePrompt(campaignInputSchema.parse({ premise: 'A heist in a city of canals.', sessions: 13 })), /Scenes: about 39, in 5 acts/);
});

test('illustration targets: key scenes are each act opening and every ending; all, none, NPCs', () => {
  const outline = standinOutline();
  const key = illustrationTargets(outline, 'key', false);
  const openings = outline.acts.map((a) => `scene-${a.scenes[0]!.id}`);
  const endings = scenesOf(outline).filter((s) => s.ending).map((s) => `scene-${s.id}`);
  assert.deepEqual(key.map((t) => t.target).sort(), [...new Set([...openings, ...endings])].sort());
  assert.equal(illustrationTargets(outline, 'all', false).length, scenesOf(outline).length);
  assert.deepEqual(illustrationTargets(outline, 'none', true).map((t) => t.target), outline.npcs.map((n) => `npc-${n.id}`));
});
