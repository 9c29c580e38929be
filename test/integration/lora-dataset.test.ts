// Characters and their datasets through the API: images added inline and later, auto-captions from the vision LLM
// stand-in, captions edited, duplicates and bad input refused with nothing half-written, a 5,000-image dataset paged,
// training refused or failed with a clear message (no images, an unknown preset, a trainer that exits at once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { solidPng } from '../support/images.ts';
import { waitForStatus } from '../support/jobs.ts';
import { createCharacter, eventsOf, portrait, startTraining, upload } from '../support/lora.ts';

let stack: TestStack;
// a trainer that fails before training, as a mistyped model path does
const FAILING_TRAINER = `python3 -c "import sys; print('Running 1 job'); print('Loading model /models/missing.safetensors'); print('Error running job: model not found: /models/missing.safetensors'); sys.exit(1)"`;

before(async () => { stack = await startTestStack({ env: { ATELIER_TRAINER_COMMAND: FAILING_TRAINER, ATELIER_TRAINER_ARCH: 'sdxl' } }); });
after(async () => { await stack?.stop(); });

const count = async (table: string) => Number((await stack.sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);

test('a character with images uploaded inline; an image without a caption is captioned by the vision LLM', async () => {
  const created = await createCharacter(stack, 'Cleo', [
    { name: 'cleo-1.png', bytes: await portrait(1), caption: 'photo of [trigger] reading' },
    { name: 'cleo-2.png', bytes: await portrait(2) },
  ]);
  assert.match(created.character.id, /^ch_[0-9a-f]{12}$/);
  assert.equal(created.images.length, 2);
  assert.ok(created.captioning, 'an auto-caption job for the image without a caption');
  await waitForStatus(stack, created.captioning!, ['COMPLETED'], 60_000);
  const rows = await stack.sql`SELECT file_name, caption, caption_source FROM dataset_images WHERE character_id = ${created.character.id} ORDER BY file_name`;
  assert.deepEqual(rows.map((r) => [r.file_name, r.caption_source]), [['cleo-1.png', 'user'], ['cleo-2.png', 'auto']]);
  assert.match(rows[1]!.caption, /\[trigger\]/);
  const requests = fs.readFileSync(path.join(stack.dataDir, 'llm', 'openai-requests.jsonl'), 'utf8');
  assert.match(requests, /lora_caption/, 'the caption came from the vision model (json_schema lora_caption)');
  const list = await stack.api('/api/characters');
  const listed = list.body.characters.find((c: any) => c.id === created.character.id);
  assert.deepEqual([listed?.images, listed?.triggerWord, listed?.loras], [2, 'ohwx_cleo', 0], JSON.stringify(listed));
  const again = await stack.api('/api/characters', { method: 'POST', json: { name: 'cleo', triggerWord: 'other' } });
  assert.equal(again.status, 409);
  assert.match(again.body.error, /exists already/);
});

test('bad input is refused with a clear error and nothing is half-written', async () => {
  const { character } = await createCharacter(stack, 'Dora', [{ name: 'dora-1.png', bytes: await portrait(21), caption: 'photo of [trigger]' }]);
  const imagesBefore = await count('dataset_images');

  const notAnImage = await upload(stack, [{ name: 'notes.txt', bytes: Buffer.from('just text'), type: 'text/plain' }]);
  assert.equal(notAnImage.status, 415);
  assert.match(notAnImage.body.error, /notes\.txt.*PNG, JPEG or WebP/);

  const unknownAsset = await stack.api(`/api/characters/${character.id}/images`, { method: 'POST', json: { images: [{ assetId: 'a_' + '0'.repeat(24) }] } });
  assert.equal(unknownAsset.status, 400);
  assert.match(unknownAsset.body.error, /upload it first/);

  const fresh = (await upload(stack, [{ name: 'fresh.png', bytes: await portrait(22) }])).body.uploads[0].id;
  const duplicate = (await upload(stack, [{ name: 'dora-again.png', bytes: await portrait(21) }])).body.uploads[0].id;
  const withDuplicate = await stack.api(`/api/characters/${character.id}/images`, { method: 'POST', json: { images: [{ assetId: fresh }, { assetId: duplicate, name: 'dora-again.png' }] } });
  assert.equal(withDuplicate.status, 409);
  assert.match(withDuplicate.body.error, /"dora-again\.png" is already in this character's dataset \(as "dora-1\.png"\).*nothing was added/);
  assert.equal(await count('dataset_images'), imagesBefore, 'neither image was added');

  const pathCaption = await stack.api(`/api/characters/${character.id}/images`, { method: 'POST', json: { images: [{ assetId: fresh, caption: '../../etc/passwd' }] } });
  assert.equal(pathCaption.status, 400);
  assert.match(pathCaption.body.error, /may not contain \/ or \\/);
  const [image] = await stack.sql`SELECT id FROM dataset_images WHERE character_id = ${character.id}`;
  const editPath = await stack.api(`/api/dataset/${image!.id}`, { method: 'PATCH', json: { caption: 'C:\\images\\dora' } });
  assert.equal(editPath.status, 400);
  const edited = await stack.api(`/api/dataset/${image!.id}`, { method: 'PATCH', json: { caption: '  [trigger]   on a bench ' } });
  assert.equal(edited.body.image.caption, '[trigger] on a bench');

  const tiny = (await upload(stack, [{ name: 'tiny.png', bytes: await solidPng(64, 64, '#aa3355') }])).body.uploads[0].id;
  const added = await stack.api(`/api/characters/${character.id}/images`, { method: 'POST', json: { images: [{ assetId: tiny, caption: 'photo of [trigger], far away' }] } });
  assert.equal(added.status, 201);
  assert.equal(added.body.images[0].tooSmall, true);
  assert.match(added.body.images[0].flag, /64 × 64 px: under the 512 px training resolution, not trained on/);

  const unknownPreset = await stack.api('/api/loras', { method: 'POST', json: { characterId: character.id, preset: 'ultra' } });
  assert.equal(unknownPreset.status, 400);
  assert.match(unknownPreset.body.error, /unknown preset "ultra": choose one of quick, balanced, high/);
  const badSteps = await stack.api('/api/loras', { method: 'POST', json: { characterId: character.id, advanced: { steps: 3 } } });
  assert.equal(badSteps.status, 400);
  assert.match(badSteps.body.error, /steps must be at least 10/);

  const empty = await stack.api('/api/characters', { method: 'POST', json: { name: 'Nobody', triggerWord: 'ohwx_nobody' } });
  const noImages = await stack.api('/api/loras', { method: 'POST', json: { characterId: empty.body.character.id } });
  assert.equal(noImages.status, 409);
  assert.match(noImages.body.error, /has no images: add photos first/);

  const onlyTiny = await stack.api('/api/characters', { method: 'POST', json: { name: 'Tiny', triggerWord: 'ohwx_tiny', images: [{ assetId: tiny }] } });
  const tooSmall = await stack.api('/api/loras', { method: 'POST', json: { characterId: onlyTiny.body.character.id } });
  assert.equal(tooSmall.status, 409);
  assert.match(tooSmall.body.error, /no image large enough to train on/);
  const badTrigger = await stack.api('/api/characters', { method: 'POST', json: { name: 'Eve', triggerWord: 'two words' } });
  assert.equal(badTrigger.status, 400);
  assert.match(badTrigger.body.error, /triggerWord must be one word/);
});

test('a trainer command that exits at once fails the job with its last lines; the flagged image was left out of the dataset', async () => {
  const { character } = await createCharacter(stack, 'Fay', [{ name: 'fay-1.png', bytes: await portrait(31), caption: 'photo of [trigger]' }]);
  const tiny = (await upload(stack, [{ name: 'fay-tiny.png', bytes: await solidPng(64, 64, '#335577') }])).body.uploads[0].id;
  await stack.api(`/api/characters/${character.id}/images`, { method: 'POST', json: { images: [{ assetId: tiny, caption: 'far' }] } });
  const id = await startTraining(stack, { characterId: character.id, preset: 'quick' });
  const job = await waitForStatus(stack, id, ['FAILED'], 120_000);
  assert.match(job.error, /the trainer exited with code 1 before its first training step/);
  assert.match(job.error, /Error running job: model not found: \/models\/missing\.safetensors/);
  const started = await eventsOf(stack, id, 'training.started');
  assert.equal(started.length, 1, 'not retried: the same command would fail the same way');
  const [prepared] = await eventsOf(stack, id, 'dataset.prepared');
  assert.equal(prepared!.data.images, 1);
  assert.deepEqual(prepared!.data.skipped.map((s: any) => s.fileName), ['fay-tiny.png']);
  assert.deepEqual((await stack.api('/api/health')).body.trainer, { demo: false, backend: 'ai-toolkit', arch: 'sdxl' }, 'a configured trainer is not labelled demo');
  const state = (await stack.api(`/api/jobs/${id}`)).body.state;
  assert.equal(state.steps.find((s: any) => s.id === 'train').status, 'failed');
  assert.equal((await stack.api(`/api/loras/jobs/${id}/trainer`)).body.state, 'none');
});

test('a 5,000-image dataset is paged: every image once, newest first, filtered by character and searched by name', async () => {
  const { character } = await createCharacter(stack, 'Gus', [{ name: 'gus-0.png', bytes: await portrait(41), caption: 'photo of [trigger]' }]);
  const [asset] = await stack.sql`SELECT asset_id FROM dataset_images WHERE character_id = ${character.id}`;
  const rows = Array.from({ length: 4999 }, (_, i) => ({
    id: `di_${crypto.createHash('sha256').update(`gus${i}`).digest('hex').slice(0, 20)}`, character_id: character.id, asset_id: asset!.asset_id,
    sha256: crypto.createHash('sha256').update(`content${i}`).digest('hex'), file_name: `gus-bulk-${String(i).padStart(4, '0')}.png`, caption: 'photo of [trigger]', caption_source: 'user', width: 512, height: 512,
  }));
  for (let at = 0; at < rows.length; at += 1000) await stack.sql`INSERT INTO dataset_images ${stack.sql(rows.slice(at, at + 1000))}`;
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  let total: number | null = null;
  do {
    const page: any = await stack.api(`/api/dataset?character=${character.id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    if (!cursor) total = page.body.total;
    for (const image of page.body.images) {
      assert.ok(!seen.has(image.id), `${image.id} twice`);
      seen.add(image.id);
      assert.equal(image.characterName, 'Gus');
    }
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor);
  assert.equal(seen.size, 5000);
  assert.equal(total, 5000);
  assert.equal(pages, 25);
  const search = await stack.api(`/api/dataset?q=gus-bulk-004`);
  assert.equal(search.body.total, 10);
  const byCharacterName = await stack.api(`/api/dataset?q=Gus&limit=1`);
  assert.equal(byCharacterName.body.total, 5000);
  const thumb = await fetch(`${stack.apiUrl}${search.body.images[0].thumbUrl}`, { headers: { authorization: `Bearer ${stack.token}` } });
  assert.equal(thumb.headers.get('content-type'), 'image/webp');
  const deleted = await stack.api('/api/dataset/delete', { method: 'POST', json: { ids: search.body.images.map((i: any) => i.id) } });
  assert.equal(deleted.body.deleted.length, 10);
  assert.equal((await stack.api(`/api/dataset?character=${character.id}&limit=1`)).body.total, 4990);
  const gone = await stack.api(`/api/characters/${character.id}`, { method: 'DELETE' });
  assert.equal(gone.status, 200);
  assert.equal(Number((await stack.sql`SELECT count(*)::int AS n FROM dataset_images WHERE character_id = ${character.id}`)[0]!.n), 0);
});

test('the estimate comes from earlier runs on the pool', async () => {
  const none = await stack.api('/api/loras/estimate?preset=quick&pool=demo');
  assert.equal(none.body.seconds, null);
  assert.match(none.body.message, /no earlier training on pool demo/);
  await stack.sql`INSERT INTO loras (id, name, character_name, trigger_word, job_id, relative_path, bytes, sha256, steps, base_model, arch, pool, host, settings, seconds_per_step)
    VALUES ('lo_x', 'x-1', 'X', 'ohwx', 'lora-x', 'loras/x-1.safetensors', 1, 'e', 500, 'm', 'demo', 'demo', 'h', ${stack.sql.json({ resolution: 512, batchSize: 1 })}, 0.5)`;
  const balanced = await stack.api('/api/loras/estimate?preset=balanced&pool=demo');
  // 1500 steps at 768 px: 0.5 s per step at 512 px, scaled by the pixels
  assert.equal(balanced.body.seconds, Math.round(0.5 / (512 * 512) * 768 * 768 * 1500));
  assert.match(balanced.body.summary, /Balanced: 1500 steps, rank 16/);
});

test('the CLI: character create/list/add-images, lora train --wait (a failing trainer: its last lines, exit 1), lora list, stage', async () => {
  const { execFile } = await import('node:child_process');
  const os = await import('node:os');
  const CLI = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'cli', 'atelier.js');
  const atelier = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ATELIER_URL: stack.apiUrl, DATA_DIR: stack.dataDir, ATELIER_TOKEN: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-cli-'));
  const files = await Promise.all([51, 52, 53].map(async (i) => { const f = path.join(dir, `hal-${i}.png`); fs.writeFileSync(f, await portrait(i)); return f; }));
  const created = await atelier(['character', 'create', 'Hal', '--trigger', 'ohwx_hal', '--caption', 'photo of [trigger]', files[0]!, files[1]!]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created ch_[0-9a-f]{12}\s+Hal \(trigger word ohwx_hal\), 2 image\(s\)/);
  const added = await atelier(['character', 'add-images', 'hal', files[2]!]);
  assert.match(added.stdout, /added 1 image\(s\) to Hal; auto-captions: job captions-/);
  const duplicate = await atelier(['character', 'add-images', 'Hal', files[0]!]);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /"hal-51\.png" is already in this character's dataset/);
  const list = await atelier(['character', 'list']);
  assert.match(list.stdout, /Hal\s+ohwx_hal\s+3 image\(s\)\s+0 LoRA\(s\)/);
  const unknown = await atelier(['lora', 'train', 'Nobody-at-all']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no character "Nobody-at-all"/);
  const badPreset = await atelier(['lora', 'train', 'Hal', '--preset', 'ultra']);
  assert.match(badPreset.stderr, /unknown preset "ultra"/);
  const trained = await atelier(['lora', 'train', 'Hal', '--wait']);
  assert.equal(trained.code, 1, trained.stdout);
  assert.match(trained.stdout, /started lora-/);
  assert.match(trained.stdout, /dataset: 3 images/);
  assert.match(trained.stderr, /failed: the trainer exited with code 1 before its first training step[\s\S]*model not found/);
  const loras = await atelier(['lora', 'list']);
  assert.equal(loras.code, 0);
  const stage = await atelier(['stage', 'lora-x', 'maybe']);
  assert.equal(stage.code, 2);
  assert.match(stage.stderr, /keep or discard/);
});
