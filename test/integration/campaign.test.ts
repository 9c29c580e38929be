// The campaign pipeline end to end on a real stack (Temporal, PostgreSQL, workers, API) with the LLM and ComfyUI
// stand-ins: outline → review → chapters → flowchart → illustrations → export; repairs, reviews, cancel, a killed worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { jobEvents, waitForEvent, waitForStatus } from '../support/jobs.ts';
import { readZip } from '../support/zip.ts';
import { brokenLinks, chapterRequests, llmFault, llmTiming, startCampaign } from '../support/campaigns.ts';

let stack: TestStack;
before(async () => { stack = await startTestStack({ comfyStepMs: 5, llmReplyMs: 0 }); });
after(async () => { await stack?.stop(); });

const PREMISE = 'The lighthouse keeper of Saltmere vanished on the night the drowned bells rang; the harbour town fears the sea is calling its debts.';

const decodeEntities = (svg: string) => svg.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

async function campaignOf(id: string) {
  const response = await stack.api(`/api/campaigns/${id}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

async function awaitingOutline(id: string) {
  return until(`campaign ${id} to await its outline's review`, async () => {
    const { body } = await stack.api(`/api/jobs/${id}`);
    return body.state?.awaitingReview?.find((r: { stepId: string }) => r.stepId === 'outline');
  }, 60_000);
}

test('a premise becomes an outline with branches, a chapter per scene, a flowchart naming every scene, illustrations and a pack whose links resolve', async () => {
  const id = await startCampaign(stack, { premise: PREMISE, sessions: 3, level: 4, tone: 'eerie, hopeful', illustrate: 'key', illustrateNpcs: true });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  const { campaign, chapters, illustrations, links } = await campaignOf(id);
  const scenes = campaign.outline.acts.flatMap((a: any) => a.scenes);
  assert.ok(scenes.length >= 8, `${scenes.length} scenes`);
  assert.ok(scenes.some((s: any) => s.exits.length >= 2), 'some scene branches');
  assert.ok(scenes.filter((s: any) => s.ending).length >= 2, 'two endings');
  assert.deepEqual(chapters.map((c: any) => c.sceneId).sort(), scenes.map((s: any) => s.id).sort(), 'a chapter for each scene');
  for (const chapter of chapters) assert.match(chapter.text, /## Read-aloud[\s\S]*## GM notes[\s\S]*## Consequences/);
  const svg = await (await fetch(stack.apiUrl + links.svg, { headers: { authorization: `Bearer ${stack.token}` } })).text();
  const text = decodeEntities(svg);
  const labels = [...text.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ');
  for (const scene of scenes) {
    assert.ok(text.includes(`<g id="${scene.id}" class="node">`), `the flowchart has a node ${scene.id}`);
    assert.ok(scene.title.split(' ').every((word: string) => labels.includes(word)), `the flowchart names ${scene.id} (${scene.title})`);
  }
  assert.ok(illustrations.length >= campaign.outline.acts.length + campaign.outline.npcs.length, `${illustrations.length} illustrations`);

  const pack = await fetch(stack.apiUrl + links.export, { headers: { authorization: `Bearer ${stack.token}` } });
  assert.equal(pack.headers.get('content-type'), 'application/zip');
  const entries = await readZip(Buffer.from(await pack.arrayBuffer()));
  const names = entries.map((e) => e.name);
  const folder = names[0]!.split('/')[0];
  for (const name of ['README.md', 'act-1.md', 'campaign.json', 'flowchart.svg', 'flowchart.png', 'flowchart.mmd', 'handout.html']) assert.ok(names.includes(`${folder}/${name}`), `${name} in ${names.join(', ')}`);
  assert.equal(names.filter((n) => n.endsWith('.md') && /act-\d+\.md$/.test(n)).length, campaign.outline.acts.length, 'one Markdown file per act');
  assert.equal(names.filter((n) => n.includes('/images/')).length, illustrations.length);
  assert.deepEqual(brokenLinks(entries), []);
  const json = JSON.parse(entries.find((e) => e.name.endsWith('campaign.json'))!.data.toString());
  assert.equal(Object.keys(json.chapters).length, scenes.length);

  const handout = await stack.api(`/api/campaigns/${id}/handout`);
  assert.equal(handout.status, 200);
  assert.match(handout.headers.get('content-type')!, /text\/html/);
  assert.doesNotMatch(handout.body, /<(link|script)\b|src="(?!data:)/, 'the handout is one self-contained file');
  assert.match(handout.body, /<svg[\s>]/);
  assert.match(handout.body, /src="data:image\/jpeg;base64,/);

  // one picture again, with a new prompt: a new revision lands in the pack
  const target = illustrations[0].target;
  const again = await stack.api(`/api/campaigns/${id}/illustrations/${target}/regenerate`, { method: 'POST', json: { prompt: 'the keeper at the lamp, storm outside' } });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  const regenerated = await waitForStatus(stack, again.body.id, ['COMPLETED', 'FAILED'], 60_000);
  assert.equal(regenerated.status, 'COMPLETED', regenerated.error);
  const after = await campaignOf(id);
  const redone = after.illustrations.find((i: any) => i.target === target);
  assert.equal(redone.revision, 2);
  assert.notEqual(redone.assetId, illustrations[0].assetId);
  assert.match(redone.prompt, /storm outside/);
});

test('outline review: an edited scene title is what the chapters and the flowchart use', async () => {
  const id = await startCampaign(stack, { premise: PREMISE, sessions: 2, reviewOutline: true, illustrate: 'none', illustrateNpcs: false });
  const request = await awaitingOutline(id);
  assert.deepEqual(request.decisions, ['approve', 'retry', 'reject']);
  const outline = structuredClone(request.detail.outline);
  const first = outline.acts[0].scenes[0];
  first.title = 'The Keeper Edited Vigil';
  // a reference that does not hold is refused with the reason
  const broken = structuredClone(outline);
  broken.acts[0].scenes[0].exits.push({ to: 'scene-404', condition: 'never' });
  const refused = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'outline', decision: 'approve', edits: { outline: broken } } });
  assert.equal(refused.status, 409);
  assert.match(refused.body.error, /exit to "scene-404", which is not a scene/);
  const approved = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'outline', decision: 'approve', edits: { outline } } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
  assert.equal(job.status, 'COMPLETED', job.error);
  const { campaign, chapters, links } = await campaignOf(id);
  assert.equal(campaign.outlineRevision, 2);
  assert.match(chapters.find((c: any) => c.sceneId === first.id).text, /The Keeper Edited Vigil/);
  const svg = await (await fetch(stack.apiUrl + links.svg, { headers: { authorization: `Bearer ${stack.token}` } })).text();
  assert.match(svg, /The Keeper Edited/);
  const neighbour = chapters.find((c: any) => c.sceneId === outline.acts[0].scenes[1].id).text;
  assert.ok(neighbour.length > 0);
});

test('a malformed outline and an exit to a missing scene are repaired by asking again; an unreachable scene is put to the person', async () => {
  await llmFault(stack, { kind: 'malformed-json' });
  const malformed = await startCampaign(stack, { premise: PREMISE, sessions: 2, illustrate: 'none', illustrateNpcs: false });
  assert.equal((await waitForStatus(stack, malformed, ['COMPLETED', 'FAILED'], 90_000)).status, 'COMPLETED');
  const repairedJson = (await jobEvents(stack, malformed)).find((e) => e.type === 'outline.written')!.data;
  assert.equal(repairedJson.tries, 2);
  assert.match(repairedJson.repaired[0], /not JSON/);

  await llmFault(stack, { kind: 'task', task: 'missing-exit' });
  const missing = await startCampaign(stack, { premise: PREMISE, sessions: 2, illustrate: 'none', illustrateNpcs: false });
  assert.equal((await waitForStatus(stack, missing, ['COMPLETED', 'FAILED'], 90_000)).status, 'COMPLETED');
  const events = await jobEvents(stack, missing);
  const repairedExit = events.find((e) => e.type === 'outline.written')!.data;
  assert.equal(repairedExit.tries, 2);
  assert.match(repairedExit.repaired[0], /exit to "scene-99", which is not a scene/);
  assert.ok(events.some((e) => e.type === 'llm.notice' && /asking again with the problem/.test(e.data.message)), 'the repair is in the job log');
  const { campaign } = await campaignOf(missing);
  assert.ok(!JSON.stringify(campaign.outline).includes('scene-99'));

  await llmFault(stack, { kind: 'task', task: 'unreachable' });
  const lost = await startCampaign(stack, { premise: PREMISE, sessions: 2, illustrate: 'none', illustrateNpcs: false });
  const request = await awaitingOutline(lost);
  assert.match(request.reason, /"The Forgotten Vault" \(scene-lost\) cannot be reached from the first scene/);
  assert.deepEqual(request.detail.unreachable, ['scene-lost']);
  const decided = await stack.api(`/api/jobs/${lost}/review`, { method: 'POST', json: { stepId: 'outline', decision: 'approve', note: 'a secret scene, on purpose' } });
  assert.equal(decided.status, 200);
  assert.equal((await waitForStatus(stack, lost, ['COMPLETED', 'FAILED'], 90_000)).status, 'COMPLETED');
  const lostCampaign = await campaignOf(lost);
  assert.ok(lostCampaign.chapters.some((c: any) => c.sceneId === 'scene-lost'), 'the person kept the scene: it has its chapter');
  assert.match(lostCampaign.campaign.problems[0], /cannot be reached/);
});

test('pause holds new chapters, resume goes on; cancel during chapters: every chapter in flight stops, nothing is written after, the job ends CANCELLED', async () => {
  await llmTiming(stack, 3000);
  try {
    const id = await startCampaign(stack, { premise: PREMISE, sessions: 3, illustrate: 'none', illustrateNpcs: false });
    await waitForEvent(stack, id, 'chapter.text', 2, 60_000);
    assert.equal((await stack.api(`/api/jobs/${id}/pause`, { method: 'POST' })).status, 202);
    await waitForStatus(stack, id, ['PAUSED']);
    // the chapters in flight finish; no new one starts while paused
    const inFlight = (await jobEvents(stack, id)).filter((e) => e.type === 'chapter.started').length;
    await waitForEvent(stack, id, 'chapter.written', inFlight, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await jobEvents(stack, id)).filter((e) => e.type === 'chapter.started').length, inFlight, 'no chapter started while paused');
    assert.equal((await stack.api(`/api/jobs/${id}/resume`, { method: 'POST' })).status, 202);
    await waitForEvent(stack, id, 'chapter.started', inFlight + 1, 30_000);
    await waitForEvent(stack, id, 'chapter.text', inFlight + 2, 30_000);
    const cancel = await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 202);
    assert.equal((await waitForStatus(stack, id, ['CANCELLED', 'COMPLETED', 'FAILED'], 60_000)).status, 'CANCELLED');
    const atEnd = await jobEvents(stack, id);
    const started = new Set(atEnd.filter((e) => e.type === 'chapter.started').map((e) => e.data.scene));
    const written = new Set(atEnd.filter((e) => e.type === 'chapter.written').map((e) => e.data.scene));
    const cancelled = new Set(atEnd.filter((e) => e.type === 'chapter.cancelled').map((e) => e.data.scene));
    assert.ok(started.size >= 2);
    for (const scene of started) assert.ok(written.has(scene) || cancelled.has(scene), `chapter ${scene} was cancelled, not left running`);
    const { state } = (await stack.api(`/api/jobs/${id}`)).body;
    assert.ok(state.steps.filter((s: any) => s.id.startsWith('chapter-')).every((s: any) => ['done', 'cancelled'].includes(s.status)));
    // a chapter that kept running would stream on and be written within its 3 s reply
    await new Promise((r) => setTimeout(r, 4000));
    const later = await jobEvents(stack, id);
    assert.equal(later.length, atEnd.length, `nothing happened after the end: ${later.slice(atEnd.length).map((e) => e.type).join(', ')}`);
    const [{ count }] = await stack.sql`SELECT count(*)::int AS count FROM campaign_chapters WHERE job_id = ${id}`;
    assert.equal(count, written.size);
  } finally {
    await llmTiming(stack, 0);
  }
});

test('the main worker killed with SIGKILL during chapters: the campaign completes and no chapter is written twice', async () => {
  await llmTiming(stack, 1500);
  try {
    const id = await startCampaign(stack, { premise: 'A caravan crosses the salt desert to a city that should not exist.', sessions: 3, illustrate: 'none', illustrateNpcs: false });
    await waitForEvent(stack, id, 'chapter.written', 2, 90_000);
    const doneBefore = new Set((await stack.sql`SELECT scene_id FROM campaign_chapters WHERE job_id = ${id}`).map((r) => r.scene_id as string));
    const pid = stack.supervisor.kill('worker-main', 'SIGKILL');
    assert.ok(pid, 'the main worker was running');
    await stack.supervisor.waitForRestart('worker-main', pid);
    await llmTiming(stack, 0);
    const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
    assert.equal(job.status, 'COMPLETED', job.error);
    const { campaign, chapters } = await campaignOf(id);
    const scenes = campaign.outline.acts.flatMap((a: any) => a.scenes.map((s: any) => s.id));
    assert.deepEqual(chapters.map((c: any) => c.sceneId).sort(), [...scenes].sort());
    for (const chapter of chapters) assert.equal(chapter.writes, 1, `chapter ${chapter.sceneId} was written ${chapter.writes} times`);
    const asked = chapterRequests(stack, campaign.outline.title);
    for (const scene of doneBefore) assert.equal(asked.get(scene), 1, `chapter ${scene}, written before the kill, was not asked for again`);
    const written = (await jobEvents(stack, id)).filter((e) => e.type === 'chapter.written');
    assert.equal(written.length, scenes.length, 'one chapter.written event per scene');
  } finally {
    await llmTiming(stack, 0);
  }
});

const CLI = fileURLToPath(new URL('../../cli/atelier.js', import.meta.url));
function atelier(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

test('the CLI: campaign start --wait, show, list, export -o and handout -o; mistakes get a message', async () => {
  const started = await atelier(['campaign', 'start', '--premise', PREMISE, '--sessions', '2', '--level', '5', '--illustrate', 'none', '--no-npc-art', '--wait']);
  assert.equal(started.code, 0, started.stderr + started.stdout);
  const id = /started (campaign-\S+)/.exec(started.stdout)![1]!;
  assert.match(started.stdout, /outline ".+": \d+ scenes/);
  assert.match(started.stdout, /chapter 8: /);
  assert.match(started.stdout, /done: atelier campaign export/);
  const show = await atelier(['campaign', 'show', id]);
  assert.match(show.stdout, /✓ scene-1 /);
  assert.match((await atelier(['campaign', 'list'])).stdout, new RegExp(`${id}\\s+COMPLETED`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-cli-'));
  const exported = await atelier(['campaign', 'export', id, '-o', path.join(dir, 'pack.zip')]);
  assert.equal(exported.code, 0, exported.stderr);
  const entries = await readZip(fs.readFileSync(path.join(dir, 'pack.zip')));
  assert.ok(entries.some((e) => e.name.endsWith('/README.md')));
  assert.deepEqual(brokenLinks(entries), []);
  assert.equal((await atelier(['campaign', 'handout', id, '-o', path.join(dir, 'handout.html')])).code, 0);
  assert.match(fs.readFileSync(path.join(dir, 'handout.html'), 'utf8'), /^<!doctype html>/);
  fs.rmSync(dir, { recursive: true, force: true });

  const cases: [string[], RegExp, number][] = [
    [['campaign', 'start'], /needs --premise/, 2],
    [['campaign', 'start', '--premise', 'short'], /premise is too short/, 1],
    [['campaign', 'start', '--premise', PREMISE, '--level', '30'], /--level must be a whole number from 1 to 20/, 2],
    [['campaign', 'export', id], /say where to write the pack: -o FILE/, 2],
    [['campaign', 'export', 'campaign-nope', '-o', '/tmp/x.zip'], /no campaign "campaign-nope"/, 1],
    [['campaign', 'frob'], /campaign needs a verb/, 2],
  ];
  for (const [args, message, code] of cases) {
    const result = await atelier(args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('the API refuses bad campaign input and unready downloads in words', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /premise is required/],
    [{ premise: PREMISE, sessions: 0 }, /sessions must be at least 1/],
    [{ premise: PREMISE, illustrate: 'some' }, /illustrate must be one of none, key, all/],
    [{ premise: PREMISE, pool: 'mars' }, /unknown GPU pool "mars"/],
    [{ premise: PREMISE, colour: 'red' }, /unknown field "colour"/],
  ];
  for (const [body, message] of cases) {
    const response = await stack.api('/api/campaigns', { method: 'POST', json: body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(response.body.error, message);
  }
  const id = await startCampaign(stack, { premise: PREMISE, sessions: 2, reviewOutline: true, illustrate: 'none' });
  await awaitingOutline(id);
  const early = await stack.api(`/api/campaigns/${id}/export`);
  assert.equal(early.status, 409);
  assert.match(early.body.error, /the pack is not ready yet/);
  assert.equal((await stack.api('/api/campaigns/campaign-nope')).status, 404);
  assert.equal((await stack.api(`/api/campaigns/${id}/illustrations/npc-x/regenerate`, { method: 'POST', json: {} })).status, 404);
  const rejected = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 'outline', decision: 'reject' } });
  assert.equal(rejected.status, 200);
  const job = await waitForStatus(stack, id, ['FAILED', 'COMPLETED', 'CANCELLED']);
  assert.equal(job.status, 'FAILED');
  assert.match(job.error, /the outline was rejected/);
});
