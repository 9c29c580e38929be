// The API's view of a pool's ComfyUI: class descriptions kept a while, and asked once however many jobs want them
// at the same moment (a burst of generate requests must not become a burst of requests to the GPU server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { poolObjectInfo } from '../../api/comfy-servers.ts';

async function countingComfy(fail = false) {
  const asked = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(req.url!.replace('/object_info/', ''));
    asked.set(name, (asked.get(name) ?? 0) + 1);
    // answered a little later, so that the other requests arrive while this one is on its way
    setTimeout(() => {
      if (fail) { res.writeHead(500).end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ [name]: { input: { required: {} }, output: [], name } }));
    }, 30);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a burst of checks asks the pool\'s ComfyUI once per class; a fresh check asks again; a failure reaches every waiter', async () => {
  const comfy = await countingComfy();
  const ctx = { config: { gpuPools: { burst: comfy.url } }, logger: { warn: () => {} } } as never;
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => poolObjectInfo(ctx, 'burst', i % 2 ? ['KSampler', 'SaveImage'] : ['KSampler', 'VAEDecode'])));
    assert.ok(answers.every((a) => a.info?.KSampler && !a.error));
    assert.deepEqual(Object.fromEntries(comfy.asked), { KSampler: 1, SaveImage: 1, VAEDecode: 1 });
    // kept: asked no more
    await poolObjectInfo(ctx, 'burst', ['KSampler']);
    assert.equal(comfy.asked.get('KSampler'), 1);
    await poolObjectInfo(ctx, 'burst', ['KSampler'], { fresh: true });
    assert.equal(comfy.asked.get('KSampler'), 2);
  } finally {
    await comfy.close();
  }
  const broken = await countingComfy(true);
  const brokenCtx = { config: { gpuPools: { broken: broken.url } }, logger: { warn: () => {} } } as never;
  try {
    const answers = await Promise.all(Array.from({ length: 5 }, () => poolObjectInfo(brokenCtx, 'broken', ['CheckpointLoaderSimple'])));
    assert.ok(answers.every((a) => a.error && !a.info), JSON.stringify(answers));
    assert.equal(broken.asked.get('CheckpointLoaderSimple'), 1);
  } finally {
    await broken.close();
  }
});
