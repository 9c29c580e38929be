// The campaign pages' logic: the premise form, chapter text placed from streamed events, outline edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addAct, addScene, applyChapterEvent, campaignPath, defaultPremise, move, moveSceneToAct, outlineEditProblems, premiseProblems, premiseRequest, removeAct, removeScene, type LiveChapter } from '../../ui/src/lib/campaign.ts';
import { referenceProblems, scenesOf } from '../../workflows/campaign-outline.ts';
import { standinOutline } from '../fixtures/campaign-outlines.ts';

test('the premise form: problems in words, empty optional texts left out of the request', () => {
  const form = { ...defaultPremise(), premise: 'short', level: 25, sessions: 2.5 };
  const problems = premiseProblems(form);
  assert.match(problems.premise!, /at least 10 characters/);
  assert.match(problems.level!, /Level is a whole number from 1 to 20/);
  assert.match(problems.sessions!, /whole number/);
  const request = premiseRequest({ ...defaultPremise(), premise: '  A heist in a city of canals.  ', tone: ' ' });
  assert.equal(request.premise, 'A heist in a city of canals.');
  assert.equal(request.tone, undefined);
  assert.equal(request.reviewOutline, true);
});

test('chapter text from events: pieces placed by offset, a replayed piece not doubled, a new attempt starts again', () => {
  const chapters = new Map<string, LiveChapter>();
  const event = (type: string, data: Record<string, unknown>) => applyChapterEvent(chapters, { type, data });
  event('chapter.started', { scene: 's1', attempt: 1 });
  event('chapter.text', { scene: 's1', attempt: 1, offset: 0, text: 'Hello ' });
  event('chapter.text', { scene: 's1', attempt: 1, offset: 6, text: 'there' });
  event('chapter.text', { scene: 's1', attempt: 1, offset: 6, text: 'there' });
  assert.deepEqual(chapters.get('s1'), { text: 'Hello there', attempt: 1, writing: true });
  event('chapter.started', { scene: 's1', attempt: 2 });
  event('chapter.text', { scene: 's1', attempt: 2, offset: 0, text: 'Again' });
  event('chapter.written', { scene: 's1', characters: 5 });
  assert.deepEqual(chapters.get('s1'), { text: 'Again', attempt: 2, writing: false });
  assert.equal(event('stage', { stage: 'chapters' }), false);
});

test('outline edits: reorder, add and remove acts and scenes; exits to a removed scene go with it', () => {
  const outline = standinOutline({ scenes: 9, acts: 3 });
  const target = outline.acts[1]!.scenes[0]!.id;
  const into = scenesOf(outline).filter((s) => s.exits.some((e) => e.to === target)).length;
  assert.ok(into > 0);
  assert.equal(removeScene(outline, target), into);
  assert.deepEqual(referenceProblems(outline), []);
  const added = addScene(outline, 0);
  assert.equal(scenesOf(outline).filter((s) => s.id === added.id).length, 1, 'a new scene gets an id of its own');
  moveSceneToAct(outline, added.id, 2);
  assert.equal(outline.acts[2]!.scenes.at(-1)!.id, added.id);
  const firstAct = outline.acts[0]!.id;
  move(outline.acts, 0, 1);
  assert.equal(outline.acts[1]!.id, firstAct);
  addAct(outline);
  assert.equal(outline.acts.length, 4);
  assert.deepEqual(referenceProblems(outline), [], 'new ids do not collide');
  assert.ok(removeAct(outline, 1) >= 0);
  assert.equal(outline.acts.length, 3);
  assert.deepEqual(referenceProblems(outline), []);
  outline.acts[0]!.scenes[0]!.title = ' ';
  outline.acts[0]!.scenes[0]!.exits.push({ to: 'gone', condition: '' });
  const problems = outlineEditProblems(outline).join(' ');
  assert.match(problems, /needs a title/);
  assert.match(problems, /exit to a scene that is gone/);
  assert.match(problems, /needs a condition/);
  assert.equal(campaignPath('campaign-1.again.npc-x.r2'), '/campaigns/campaign-1');
});
