// The sprites pipeline through the whole stack: prompts × variants through the ComfyUI stand-in with the GPU worker
// killed mid-batch, a person's review, the library, deploys into a Bevy project; the CLI's verbs; refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestStack, until, type TestStack } from '../support/stack.ts';
import { waitForStatus, waitForEvent, standinLog, promptIdsOf } from '../support/jobs.ts';
import { awaitingSprites, decide, spritesState, startSprites } from '../support/sprites.ts';

const CLI = fileURLToPath(new URL('../../cli/atelier.js', import.meta.url));
let stack: TestStack;
let root: string;
let dataParent: string;

function newGame(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), `[package]\nname = "${name}"\n`);
  return dir;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

function atelier(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bevy-roots-')));
  // a DATA_DIR with a dot in its path, as the default `.data` has: assets are still served
  dataParent = fs.mkdtempSync(path.join(os.tmpdir(), 'sprites-data-'));
  stack = await startTestStack({ comfyStepMs: 40, env: { ATELIER_BEVY_ROOTS: root }, dataDir: path.join(dataParent, '.data') });
});
after(async () => {
  await stack?.stop();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dataParent, { recursive: true, force: true });
});

const PROMPTS = ['a medieval knight', 'a green slime', { prompt: 'a knight walking', frames: 4, name: 'knight walk' }, { prompt: 'a health potion', category: 'item' }, 'a wooden shield', 'an iron key', 'a fire spell', { prompt: 'mossy stone floor', category: 'tile' }];

test('8 prompts × 2 variants with the GPU worker killed mid-batch: each image made once; review keeps 5; deploy writes 5 PNGs, the layout and the manifest', async () => {
  const id = await startSprites(stack, { prompts: PROMPTS, variants: 2, style: '16bit', palette: 'pico8', steps: 10, project: 'castle' });
  await waitForEvent(stack, id, 'asset.created');
  const pid = stack.supervisor.kill('worker-gpu-demo', 'SIGKILL');
  assert.ok(pid, 'the GPU worker was running');
  await stack.supervisor.waitForRestart('worker-gpu-demo', pid);

  const state = await awaitingSprites(stack, id, 16);
  assert.equal(state.sprites.length, 16);
  // each prompt ran to success exactly once at ComfyUI, one image per frame
  const prompts = await promptIdsOf(stack, id);
  const images = 7 * 2 + 4 * 2;
  assert.equal(prompts.length, images);
  const log = standinLog(stack);
  for (const prompt of prompts) assert.equal(log.filter((l) => l.event === 'executed' && l.prompt_id === prompt && l.outcome === 'success').length, 1, `prompt ${prompt} ran once`);
  const generations = await stack.sql`SELECT relative_path FROM assets WHERE job_id = ${id} AND kind = 'generations'`;
  assert.equal(generations.length, images);

  // every sprite: grid size (or a sheet of grid cells), only PICO-8 colours, opaque or transparent only
  const pico8 = new Set(['000000', '1d2b53', '7e2553', '008751', 'ab5236', '5f574f', 'c2c3c7', 'fff1e8', 'ff004d', 'ffa300', 'ffec27', '00e436', '29adff', '83769c', 'ff77a8', 'ffccaa']);
  for (const sprite of state.sprites) {
    const { data, info } = await sharp(path.join(stack.dataDir, sprite.sprite!.path)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.height, 32);
    assert.equal(info.width, sprite.frames > 1 ? 128 : 32, sprite.id);
    for (let i = 0; i < data.length; i += 4) {
      assert.ok(data[i + 3] === 0 || data[i + 3] === 255, `${sprite.id}: alpha ${data[i + 3]}`);
      if (data[i + 3]) assert.ok(pico8.has([data[i]!, data[i + 1]!, data[i + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')), `${sprite.id} uses a colour outside PICO-8`);
    }
    if (sprite.category === 'character' && sprite.frames === 1) assert.equal(data[3], 0, `${sprite.id}: the background corner is transparent`);
  }
  assert.deepEqual(state.sprites.find((s) => s.id === 's3-v1')!.atlas, { tileSize: [32, 32], columns: 4, rows: 1, padding: null, offset: null, frames: 4 });
  assert.ok(state.sprites.find((s) => s.id === 's8-v1')!.tilePreview, 'a tile has its 3 × 3 preview');

  const keep = ['s1-v1', 's1-v2', 's3-v1', 's4-v2', 's8-v1'];
  for (const sprite of state.sprites) await decide(stack, id, sprite.id, keep.includes(sprite.id) ? 'keep' : 'discard', { decisionId: `t-${sprite.id}` });
  // the same decision again counts once; a decided sprite takes no other
  await decide(stack, id, 's1-v1', 'keep', { decisionId: 't-s1-v1' });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED', 'CANCELLED']);
  assert.equal(job.status, 'COMPLETED', job.error);

  const library = await stack.api('/api/sprites?project=castle');
  assert.deepEqual(library.body.sprites.map((s: any) => s.name).sort(), ['health_potion', 'knight_walk', 'medieval_knight', 'medieval_knight_2', 'mossy_stone_floor'].sort());

  const game = newGame('castle-game');
  const preview = await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: game, dryRun: true } });
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  assert.deepEqual(filesUnder(game), ['Cargo.toml'], 'a dry run writes nothing');
  const deployed = await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: game } });
  assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
  assert.deepEqual(filesUnder(path.join(game, 'assets')), [
    'atelier.json', 'items/health_potion.png', 'sprites/knight_walk.atlas.json', 'sprites/knight_walk.atlas.ron', 'sprites/knight_walk.png',
    'sprites/medieval_knight.png', 'sprites/medieval_knight_2.png', 'tiles/mossy_stone_floor.png',
  ]);
  assert.deepEqual(preview.body.files.map((f: any) => f.path), deployed.body.files.map((f: any) => f.path), 'the preview showed the files the deploy wrote');
  assert.ok(deployed.body.loadLines.some((l: any) => l.lines.includes('asset_server.load("sprites/medieval_knight.png")')));
  const again = await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: game } });
  assert.ok(again.body.files.every((f: any) => f.action === 'unchanged'), 'a second deploy updates in place (nothing changed)');
  const undeployed = await stack.api(`/api/sprites/${id}/undeploy`, { method: 'POST', json: { project: game } });
  assert.equal(undeployed.status, 200);
  assert.deepEqual(filesUnder(game), ['Cargo.toml']);
  const history = await stack.api(`/api/sprites/${id}/deployments`);
  assert.deepEqual(history.body.deployments.map((d: any) => d.action), ['deploy', 'deploy', 'undeploy']);
});

test('regenerate makes a sprite again (with a new prompt); the review refuses what a sprite does not take', async () => {
  const id = await startSprites(stack, { prompt: 'a blue bird', style: '8bit', steps: 4, outline: true });
  let state = await awaitingSprites(stack, id, 1);
  assert.equal(state.sprites[0]!.sprite!.width, 16);
  const first = state.sprites[0]!.sprite!.id;
  const served = await fetch(`${stack.apiUrl}/api/assets/${first}`, { headers: { authorization: `Bearer ${stack.token}` } });
  assert.equal(served.status, 200, 'served from a DATA_DIR whose path has a dot in it');
  assert.equal(served.headers.get('content-type'), 'image/png');
  assert.equal((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width, 16);
  const refused = await stack.api(`/api/jobs/${id}/review`, { method: 'POST', json: { stepId: 's1-v1', decision: 'approve' } });
  assert.equal(refused.status, 409);
  assert.match(refused.body.error, /does not take "approve": choose one of keep, discard, regenerate/);
  await decide(stack, id, 's1-v1', 'regenerate', { prompt: 'a red bird' });
  state = await until('the second attempt to await review', async () => {
    const s = await spritesState(stack, id);
    return s?.sprites[0]!.attempts === 2 && s.awaitingReview.length === 1 ? s : undefined;
  });
  assert.equal(state.sprites[0]!.prompt, 'a red bird');
  assert.notEqual(state.sprites[0]!.sprite!.id, first);
  assert.match(state.awaitingReview[0]!.title, /attempt 2/);
  await decide(stack, id, 's1-v1', 'keep');
  assert.equal((await waitForStatus(stack, id, ['COMPLETED', 'FAILED'])).status, 'COMPLETED');
  const deploy = await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: path.join(root, 'nowhere') } });
  assert.equal(deploy.status, 409);
  assert.match(deploy.body.error, /does not exist: create the Bevy project first/);
});

test('the CLI: sprites --keep-all --deploy --wait prints the load lines; batch; deploy, undeploy and library', async () => {
  const game = newGame('cli-game');
  const made = await atelier(['sprites', 'a treasure chest', '--count', '2', '--style', '8bit', '--palette', 'gameboy', '--category', 'item', '--steps', '4', '--keep-all', '--project', 'cli', '--deploy', game, '--wait']);
  assert.equal(made.code, 0, made.stderr + made.stdout);
  assert.match(made.stdout, /2 sprite\(s\) kept/);
  assert.match(made.stdout, /asset_server\.load\("items\/treasure_chest\.png"\)/);
  assert.match(made.stdout, /asset_server\.load\("items\/treasure_chest_2\.png"\)/);
  assert.deepEqual(filesUnder(path.join(game, 'assets')), ['atelier.json', 'items/treasure_chest.png', 'items/treasure_chest_2.png']);
  const id = /started (sprites-\S+)/.exec(made.stdout)![1]!;

  const list = path.join(root, 'prompts.txt');
  fs.writeFileSync(list, '# a few props\na lantern\n\ntile: sandy ground\n');
  const batch = await atelier(['sprites', 'batch', list, '--steps', '4', '--keep-all', '--project', 'cli', '--wait']);
  assert.equal(batch.code, 0, batch.stderr);
  assert.match(batch.stdout, /2 sprite\(s\) kept/);
  const library = await atelier(['sprites', 'library', '--project', 'cli']);
  assert.match(library.stdout, /tile\s+sandy_ground/);
  assert.match(library.stdout, /item\s+treasure_chest_2/);

  const undeploy = await atelier(['sprites', 'undeploy', id, '--project', game]);
  assert.equal(undeploy.code, 0, undeploy.stderr);
  assert.match(undeploy.stdout, /remove\s+assets\/items\/treasure_chest\.png/);
  assert.deepEqual(filesUnder(game), ['Cargo.toml']);
  const redeploy = await atelier(['sprites', 'deploy', id, '--project', path.relative(process.cwd(), game), '--dry-run']);
  assert.equal(redeploy.code, 0, redeploy.stderr);
  assert.match(redeploy.stdout, /would deploy .* into .*cli-game/);
  assert.match(redeploy.stdout, /create\s+assets\/items\/treasure_chest\.png/);
  const outside = await atelier(['sprites', 'deploy', id, '--project', os.tmpdir()]);
  assert.equal(outside.code, 1);
  assert.match(outside.stderr, /outside the registered Bevy project roots/);
  const bad = await atelier(['sprites', 'a thing', '--size', '20']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--size must be 16, 32, 48, 64/);
});

test('cancel while sprites await review and others are still made: the job ends cancelled, nothing waits, nothing left at ComfyUI', async () => {
  const id = await startSprites(stack, { prompts: ['a cat', 'a dog', 'a fox', 'an owl', 'a bat', 'a rat'], steps: 20 });
  await until('a sprite to await review', async () => ((await spritesState(stack, id))?.awaitingReview.length ?? 0) > 0);
  const cancel = await stack.api(`/api/jobs/${id}/cancel`, { method: 'POST' });
  assert.equal(cancel.status, 202);
  assert.equal((await waitForStatus(stack, id, ['CANCELLED', 'COMPLETED', 'FAILED'])).status, 'CANCELLED');
  const state = (await spritesState(stack, id))!;
  assert.equal(state.awaitingReview.length, 0);
  assert.ok(state.sprites.every((s) => s.status === 'cancelled'), state.sprites.map((s) => s.status).join(', '));
  const queue = await (await fetch(`${stack.pools.demo}/queue`)).json() as { queue_running: unknown[]; queue_pending: unknown[] };
  assert.deepEqual([queue.queue_running.length, queue.queue_pending.length], [0, 0]);
});

test('a deploy asked for at the start that is refused leaves the sprites kept and says why', async () => {
  const game = newGame('guarded-game');
  fs.mkdirSync(path.join(game, 'assets', 'items'), { recursive: true });
  fs.writeFileSync(path.join(game, 'assets', 'items', 'golden_crown.png'), 'the artist’s crown');
  const id = await startSprites(stack, { prompt: 'a golden crown', category: 'item', steps: 4, review: false, deploy: { project: game } });
  const job = await waitForStatus(stack, id, ['COMPLETED', 'FAILED']);
  assert.equal(job.status, 'COMPLETED');
  const state = (await spritesState(stack, id))!;
  assert.match((state.deployment as { error: string }).error, /assets\/items\/golden_crown\.png exists and Atelier did not write it: pass --force/);
  assert.equal(fs.readFileSync(path.join(game, 'assets', 'items', 'golden_crown.png'), 'utf8'), 'the artist’s crown');
  await waitForEvent(stack, id, 'sprites.deploy-failed');
  const forced = await stack.api(`/api/sprites/${id}/deploy`, { method: 'POST', json: { project: game, force: true } });
  assert.equal(forced.status, 200);
  assert.equal(forced.body.files[0].action, 'overwrite');
});

test('bad input gets a 400 that says what to fix; nothing is started', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /prompts is required/],
    [{ prompts: [] }, /prompts is required/],
    [{ prompts: ['x'], palette: 'sepia' }, /palette must be auto, one of pico8, db16, db32, nes, gameboy/],
    [{ prompts: ['x'], palette: 'a_000000000000000000000000' }, /no asset "a_000000000000000000000000" for the palette/],
    [{ prompts: ['x'], size: 20 }, /size must be one of 16, 32, 48, 64/],
    [{ prompts: ['x'], style: '4bit' }, /style must be one of 8bit, 16bit, 32bit/],
    [{ prompts: ['x', 'y', 'z'], variants: 8, frames: 16 }, /asks for 384 images .* at most 256 per job/],
    [{ prompts: ['x'], palette: 'pico8', colours: 8 }, /colours only applies to palette "auto"/],
    [{ prompts: ['x'], deploy: { project: '/etc' } }, /outside the registered Bevy project roots/],
    [{ prompts: ['x'], deploy: { project: `${root}/../../etc` } }, /contains ".."/],
    [{ prompts: [{ prompt: 'x', colour: 'red' }] }, /unknown field "colour": remove it/],
    [{ prompts: [42] }, /each prompt is a string or/],
    [{ prompts: ['x'], wat: 1 }, /unknown field "wat"/],
  ];
  const before = (await stack.sql`SELECT count(*)::int AS n FROM jobs WHERE pipeline = 'sprites'`)[0]!.n;
  for (const [body, message] of cases) {
    const response = await stack.api('/api/sprites', { method: 'POST', json: body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(response.body.error, message, JSON.stringify(body));
  }
  assert.equal((await stack.sql`SELECT count(*)::int AS n FROM jobs WHERE pipeline = 'sprites'`)[0]!.n, before);
  const notSprites = await stack.api('/api/sprites/generate-123/deploy', { method: 'POST', json: { project: path.join(root, 'x') } });
  assert.equal(notSprites.status, 404);
});
