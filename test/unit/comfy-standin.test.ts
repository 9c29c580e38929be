import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startComfyStandin, type ComfyStandin, type ComfyStandinOptions } from '../../infra/local/comfy-standin/server.ts';

type Frame = { type: string; data: Record<string, any> };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
const standins: ComfyStandin[] = [];
after(async () => {
  await Promise.all(standins.map((s) => s.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<ComfyStandinOptions> = {}): Promise<ComfyStandin> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'comfy-standin-'));
  dirs.push(dataDir);
  const standin = await startComfyStandin({ port: 0, dataDir, stepMs: 2, nodeMs: 1, quiet: true, ...opts });
  standins.push(standin);
  return standin;
}

/** A WebSocket client that records every frame. */
class Client {
  readonly frames: Frame[] = [];
  private listeners: Array<() => void> = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(raw.toString()));
      for (const l of [...this.listeners]) l();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const l of [...this.listeners]) l();
    });
  }

  static async open(standin: ComfyStandin, clientId?: string): Promise<Client> {
    const ws = new WebSocket(`${standin.url.replace('http', 'ws')}/ws${clientId ? `?clientId=${clientId}` : ''}`);
    const client = new Client(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await client.waitFor((f) => f.type === 'status' && 'sid' in f.data);
    return client;
  }

  waitFor(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (this.closed) {
          done();
          reject(new Error('socket closed'));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out; frames: ${this.frames.map((f) => f.type).join(',')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  /** Resolves once the prompt's final `executing {node: null}` arrived; returns the frames since `from`. */
  async run(promptId: string, from = 0): Promise<Frame[]> {
    await this.waitFor((f) => f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId);
    const end = this.frames.findIndex((f) => f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId);
    return this.frames.slice(from, end + 1);
  }

  close(): void {
    this.ws.close();
  }
}

async function post(standin: ComfyStandin, route: string, body?: unknown) {
  const res = await fetch(standin.url + route, {
    method: 'POST',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: text ? safeJson(text) : undefined };
}

const safeJson = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

async function getJson(standin: ComfyStandin, route: string) {
  const res = await fetch(standin.url + route);
  return { status: res.status, json: await res.json() };
}

async function queue(standin: ComfyStandin, prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post(standin, '/prompt', { prompt, client_id: 'c1', ...extra });
  assert.equal(res.status, 200, res.text);
  return res.json.prompt_id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** EmptyImage → ImageBlur → SaveImage, the doc's model-free 3-node graph. */
function threeNodes(color = 0x336699, prefix = 'atelier') {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 1, color } },
    '2': { class_type: 'ImageBlur', inputs: { image: ['1', 0], blur_radius: 1, sigma: 1.0 } },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } },
  };
}

function txt2img({ steps = 3, seed = 42, text = 'a lighthouse at dusk', lora }: { steps?: number; seed?: number; text?: string; lora?: string } = {}) {
  const graph: Record<string, any> = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'atelier-demo-sdxl.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'atelier', images: ['8', 0] } },
  };
  if (lora) {
    graph['10'] = { class_type: 'LoraLoader', inputs: { model: ['4', 0], clip: ['4', 1], lora_name: lora, strength_model: 1, strength_clip: 1 } };
    graph['3'].inputs.model = ['10', 0];
    graph['6'].inputs.clip = ['10', 1];
  }
  return graph;
}

/** Frames as short strings, e.g. "progress_state 1=finished 2=running", so an order reads at a glance. */
function compact(frames: Frame[]): string[] {
  return frames.map((f) => {
    const d = f.data;
    switch (f.type) {
      case 'status':
        return `status ${d.status.exec_info.queue_remaining}`;
      case 'executing':
        return `executing ${d.node}`;
      case 'executed':
        return `executed ${d.node}`;
      case 'progress':
        return `progress ${d.node} ${d.value}/${d.max}`;
      case 'progress_state':
        return `progress_state ${Object.values(d.nodes as Record<string, any>)
          .sort((a, b) => Number(a.node_id) - Number(b.node_id))
          .map((n) => `${n.node_id}=${n.state}${n.max > 1 ? `(${n.value}/${n.max})` : ''}`)
          .join(' ')}`;
      case 'execution_cached':
        return `execution_cached [${d.nodes.join(',')}]`;
      default:
        return f.type;
    }
  });
}

/** What ComfyUI sends for nodes run in `order` (the sampler reports each step), from enqueue to the null marker. */
function expectedRun(order: string[], opts: { sampler?: string; steps?: number; outputs: string[] }): string[] {
  const states = new Map<string, string>();
  const ps = () =>
    `progress_state ${[...states]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([id, s]) => `${id}=${s}`)
      .join(' ')}`;
  const out = ['status 1', 'status 1', 'execution_start', 'execution_cached []'];
  for (const id of order) {
    states.set(id, 'running');
    out.push(ps(), `executing ${id}`);
    if (id === opts.sampler) {
      for (let step = 1; step <= opts.steps!; step++) {
        states.set(id, `running(${step}/${opts.steps})`);
        out.push(ps(), `progress ${id} ${step}/${opts.steps}`);
      }
    }
    if (opts.outputs.includes(id)) out.push(`executed ${id}`);
    states.set(id, id === opts.sampler ? `finished(${opts.steps}/${opts.steps})` : 'finished');
    out.push(ps());
  }
  return [...out, 'execution_success', 'status 0', 'executing null'];
}

describe('comfy stand-in: a run, frame by frame', () => {
  it('sends the doc’s frames in order for the 3-node graph, only to the owner', async () => {
    const s = await start();
    const owner = await Client.open(s, 'c1');
    const other = await Client.open(s, 'someone-else');
    assert.deepEqual(owner.frames[0], { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'c1' } });

    const id = await queue(s, threeNodes());
    const frames = await owner.run(id, 1);
    assert.deepEqual(compact(frames), [
      'status 1', 'status 1', 'execution_start', 'execution_cached []',
      'progress_state 1=running', 'executing 1', 'progress_state 1=finished',
      'progress_state 1=finished 2=running', 'executing 2', 'progress_state 1=finished 2=finished',
      'progress_state 1=finished 2=finished 3=running', 'executing 3', 'executed 3',
      'progress_state 1=finished 2=finished 3=finished',
      'execution_success', 'status 0', 'executing null',
    ]);
    const byType = (t: string) => frames.find((f) => f.type === t)!.data;
    assert.equal(typeof byType('execution_start').timestamp, 'number');
    assert.deepEqual(byType('executing'), { node: '1', display_node: '1', prompt_id: id });
    assert.deepEqual(byType('executed'), {
      node: '3', display_node: '3', prompt_id: id,
      output: { images: [{ filename: 'atelier_00001_.png', subfolder: '', type: 'output' }] },
    });
    assert.deepEqual(byType('progress_state').nodes['1'], {
      value: 0, max: 1, state: 'running', node_id: '1', prompt_id: id, display_node_id: '1', parent_node_id: null, real_node_id: '1',
    });
    assert.deepEqual(frames.at(-1)!.data, { node: null, prompt_id: id });

    await sleep(30);
    assert.deepEqual([...new Set(other.frames.map((f) => f.type))], ['status']);
    owner.close();
    other.close();
  });

  it('runs txt2img in dependency order with one progress frame per sampler step, and records history', async () => {
    const s = await start();
    const owner = await Client.open(s, 'c1');
    const id = await queue(s, txt2img({ steps: 3 }));
    const frames = await owner.run(id, 1);
    assert.deepEqual(
      compact(frames),
      expectedRun(['4', '5', '7', '6', '3', '8', '9'], { sampler: '3', steps: 3, outputs: ['9'] }),
    );
    const png = readFileSync(path.join(s.dataDir, 'output', 'atelier_00001_.png'));
    assert.equal(png.readUInt32BE(16), 64, 'rendered at the latent width');

    const { json: history } = await getJson(s, `/history/${id}`);
    const entry = history[id];
    assert.equal(entry.prompt[0], 0);
    assert.equal(entry.prompt[1], id);
    assert.equal(entry.prompt[2]['3'].class_type, 'KSampler');
    assert.equal(entry.prompt[3].client_id, 'c1');
    assert.equal(typeof entry.prompt[3].create_time, 'number');
    assert.deepEqual(entry.prompt[4], ['9']);
    assert.deepEqual(entry.outputs, { '9': { images: [{ filename: 'atelier_00001_.png', subfolder: '', type: 'output' }] } });
    assert.deepEqual(entry.meta, { '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } });
    assert.equal(entry.status.status_str, 'success');
    assert.equal(entry.status.completed, true);
    assert.deepEqual(entry.status.messages.map((m: [string]) => m[0]), ['execution_start', 'execution_cached', 'execution_success']);

    const view = await fetch(`${s.url}/api/view?filename=atelier_00001_.png&type=output`);
    assert.equal(view.status, 200);
    assert.equal(view.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await view.arrayBuffer()), png);
    owner.close();
  });

  it('sends no execution frame at all for a prompt queued without client_id', async () => {
    const s = await start();
    const watcher = await Client.open(s, 'c1');
    const res = await post(s, '/prompt', { prompt: threeNodes() });
    const id = res.json.prompt_id;
    for (let i = 0; i < 100 && !(await getJson(s, `/history/${id}`)).json[id]; i++) await sleep(10);
    assert.equal((await getJson(s, `/history/${id}`)).json[id].status.status_str, 'success');
    assert.deepEqual([...new Set(watcher.frames.map((f) => f.type))], ['status']);
    watcher.close();
  });

  it('keeps a client prompt_id, counts numbers from 0 and lets `front` jump the pending queue', async () => {
    const s = await start({ stepMs: 20 });
    const owner = await Client.open(s, 'c1');
    const mine = '6f1c3a52-8d7e-4b0a-9c4e-2f5d8a1b3c7d';
    const first = await post(s, '/api/prompt', { prompt: txt2img({ steps: 20 }), client_id: 'c1', prompt_id: mine });
    assert.deepEqual(first.json, { prompt_id: mine, number: 0, node_errors: {} });
    const back = await post(s, '/prompt', { prompt: threeNodes(1), client_id: 'c1' });
    const front = await post(s, '/prompt', { prompt: threeNodes(2), client_id: 'c1', front: true });
    assert.equal(back.json.number, 1);
    assert.equal(front.json.number, -2);
    const { json: q } = await getJson(s, '/queue');
    assert.deepEqual(q.queue_running.map((i: any[]) => i[1]), [mine]);
    assert.deepEqual(q.queue_pending.map((i: any[]) => i[1]), [front.json.prompt_id, back.json.prompt_id]);
    assert.equal(q.queue_pending[0].length, 5);
    await owner.run(back.json.prompt_id);
    assert.deepEqual(s.stats().started, [mine, front.json.prompt_id, back.json.prompt_id]);
    owner.close();
  });
});

describe('comfy stand-in: POST /prompt errors', () => {
  const errorOf = async (s: ComfyStandin, prompt: unknown) => {
    const res = await post(s, '/prompt', { prompt, client_id: 'c1' });
    assert.equal(res.status, 400, res.text);
    return res.json;
  };

  it('answers a body that is not JSON with a text/plain 500, and a body without prompt with no_prompt', async () => {
    const s = await start();
    const broken = await post(s, '/prompt', '{"prompt": ');
    assert.equal(broken.status, 500);
    assert.match(broken.type, /^text\/plain/);
    const none = await post(s, '/prompt', { client_id: 'c1' });
    assert.equal(none.status, 400);
    assert.deepEqual(none.json, {
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
      node_errors: {},
    });
  });

  it('refuses a prompt_id that is not a canonical lowercase UUID', async () => {
    const s = await start();
    for (const bad of ['job-1', '6F1C3A52-8D7E-4B0A-9C4E-2F5D8A1B3C7D', '6f1c3a528d7e4b0a9c4e2f5d8a1b3c7d', 17]) {
      const res = await post(s, '/prompt', { prompt: threeNodes(), prompt_id: bad });
      assert.equal(res.status, 400);
      assert.equal(res.json.error.type, 'invalid_prompt_id');
      assert.equal(res.json.error.message, 'prompt_id must be a valid UUID');
      assert.deepEqual(res.json.node_errors, {});
    }
  });

  it('names an unknown class_type with missing_node_type', async () => {
    const s = await start();
    const graph = { ...threeNodes(), '7': { class_type: 'UpscaleWithMagic', inputs: {}, _meta: { title: 'Magic' } } };
    const body = await errorOf(s, graph);
    assert.deepEqual(body, {
      error: {
        type: 'missing_node_type',
        message: "Node 'Magic' not found. The custom node may not be installed.",
        details: "Node ID '#7'",
        extra_info: { node_id: '7', class_type: 'UpscaleWithMagic', node_title: 'Magic' },
      },
      node_errors: {},
    });
    const untitled = await errorOf(s, { '1': { class_type: 'Nope', inputs: {} } });
    assert.equal(untitled.error.message, "Node 'Nope' not found. The custom node may not be installed.");
  });

  it('reports a missing required input with dependent_outputs, as the doc shows', async () => {
    const s = await start();
    const graph = {
      '1': { class_type: 'EmptyImage', inputs: { width: 64, batch_size: 1, color: 0 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
    };
    const body = await errorOf(s, graph);
    assert.equal(body.error.type, 'prompt_outputs_failed_validation');
    assert.equal(body.error.message, 'Prompt outputs failed validation');
    assert.deepEqual(body.node_errors, {
      '1': {
        errors: [{ type: 'required_input_missing', message: 'Required input is missing', details: 'height', extra_info: { input_name: 'height' } }],
        dependent_outputs: ['2'],
        class_type: 'EmptyImage',
      },
    });
  });

  it('reports a link of the wrong type with return_type_mismatch', async () => {
    const s = await start();
    writeFileSync(path.join(s.dataDir, 'input', 'in.png'), readFileSync(await onePng(s)));
    const graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'in.png' } },
      '2': { class_type: 'ImageBlur', inputs: { image: ['1', 1], blur_radius: 1, sigma: 1 } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' } },
    };
    const error = (await errorOf(s, graph)).node_errors['2'].errors[0];
    assert.equal(error.type, 'return_type_mismatch');
    assert.equal(error.message, 'Return type mismatch between linked nodes');
    assert.equal(error.details, 'image, received_type(MASK) mismatch input_type(IMAGE)');
    assert.equal(error.extra_info.received_type, 'MASK');
    assert.deepEqual(error.extra_info.linked_node, ['1', 1]);
  });

  it('reports values out of range, unconvertible and not in the list with ComfyUI’s wording', async () => {
    const s = await start();
    const graph = threeNodes() as any;
    graph['2'].inputs.blur_radius = 0;
    graph['2'].inputs.sigma = 11;
    graph['1'].inputs.width = 'wide';
    const errors = (await errorOf(s, graph)).node_errors;
    assert.deepEqual(errors['2'].errors.map((e: any) => [e.type, e.message, e.details]), [
      ['value_smaller_than_min', 'Value 0 smaller than min of 1', 'blur_radius'],
      ['value_bigger_than_max', 'Value 11.0 bigger than max of 10.0', 'sigma'],
    ]);
    assert.deepEqual(errors['1'].errors.map((e: any) => [e.type, e.message, e.details]), [
      ['invalid_input_type', 'Failed to convert an input value to a INT value', "width, wide, invalid literal for int() with base 10: 'wide'"],
    ]);
    assert.deepEqual(errors['1'].dependent_outputs, ['3']);

    const sampler = txt2img() as any;
    sampler['3'].inputs.scheduler = 'sideways';
    sampler['3'].inputs.sampler_name = 'magic';
    const [name, scheduler] = (await errorOf(s, sampler)).node_errors['3'].errors;
    assert.equal(scheduler.type, 'value_not_in_list');
    assert.equal(scheduler.message, 'Value not in list');
    assert.equal(
      scheduler.details,
      "scheduler: 'sideways' not in ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta', 'linear_quadratic', 'kl_optimal']",
    );
    assert.match(name.details, /^sampler_name: 'magic' not in \(list of length \d+\)$/);
    assert.equal(name.extra_info.input_config, null);
  });

  it('rejects LoadImage of a file that is not there with custom_validation_failed', async () => {
    const s = await start();
    const graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'x.png' } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const body = await errorOf(s, graph);
    assert.deepEqual(body.node_errors['1'].errors, [
      { type: 'custom_validation_failed', message: 'Custom validation failed for node', details: 'image - Invalid image file: x.png', extra_info: { input_name: 'image' } },
    ]);
    assert.equal(body.error.details, '');
  });

  it('refuses a graph without output node with prompt_no_outputs, and sends no frame for any refusal', async () => {
    const s = await start();
    const watcher = await Client.open(s, 'c1');
    const body = await errorOf(s, { '1': threeNodes()['1'] });
    assert.deepEqual(body, {
      error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
      node_errors: {},
    });
    await sleep(30);
    assert.equal(watcher.frames.length, 1);
    watcher.close();
  });

  it('queues the valid outputs and reports the broken ones when only some outputs fail', async () => {
    const s = await start();
    const graph = {
      ...threeNodes(),
      '4': { class_type: 'EmptyImage', inputs: { width: 0, height: 8, batch_size: 1, color: 0 } },
      '5': { class_type: 'PreviewImage', inputs: { images: ['4', 0] } },
    };
    const res = await post(s, '/prompt', { prompt: graph, client_id: 'c1' });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json.node_errors), ['4']);
    assert.deepEqual(res.json.node_errors['4'].dependent_outputs, ['5']);
  });
});

/** Makes one PNG through the stand-in itself (so tests need no fixture files). */
async function onePng(s: ComfyStandin): Promise<string> {
  const client = await Client.open(s, 'png-maker');
  const res = await post(s, '/prompt', { prompt: threeNodes(0xff0000, 'fixture'), client_id: 'png-maker' });
  const frames = await client.run(res.json.prompt_id);
  client.close();
  const image = frames.find((f) => f.type === 'executed')!.data.output.images[0];
  return path.join(s.dataDir, 'output', image.filename);
}

describe('comfy stand-in: interrupt, delete, cache, reconnect', () => {
  it('interrupts only the running prompt with that id; a pending id is left alone', async () => {
    const s = await start({ stepMs: 10 });
    const owner = await Client.open(s, 'c1');
    const slow = await queue(s, txt2img({ steps: 300 }));
    const next = await queue(s, threeNodes());
    await owner.waitFor((f) => f.type === 'progress' && f.data.prompt_id === slow);

    assert.equal((await post(s, '/interrupt', { prompt_id: next })).status, 200);
    const seen = owner.frames.filter((f) => f.type === 'progress').length;
    await sleep(60);
    assert.ok(owner.frames.filter((f) => f.type === 'progress').length > seen, 'the running prompt went on');

    const res = await post(s, '/interrupt', { prompt_id: slow });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    const frames = await owner.run(slow);
    const at = frames.findIndex((f) => f.type === 'execution_interrupted');
    assert.deepEqual(compact(frames.slice(at)), ['execution_interrupted', 'status 1', 'executing null']);
    const { timestamp, ...interrupted } = frames[at].data;
    assert.equal(typeof timestamp, 'number');
    assert.deepEqual(interrupted, { prompt_id: slow, node_id: '3', node_type: 'KSampler', executed: ['4', '5', '7', '6'] });

    const entry = (await getJson(s, `/history/${slow}`)).json[slow];
    assert.deepEqual([entry.status.status_str, entry.status.completed, entry.outputs], ['error', false, {}]);
    assert.equal(entry.status.messages.at(-1)[0], 'execution_interrupted');

    await owner.run(next);
    assert.equal((await getJson(s, `/history/${next}`)).json[next].status.status_str, 'success');
    assert.deepEqual(s.stats().interrupted, [
      { prompt_id: next, running: false },
      { prompt_id: slow, running: true },
    ]);
    owner.close();
  });

  it('interrupts whatever runs without a body, at the start of the next node (cooperative)', async () => {
    const s = await start({ nodeMs: 200 });
    const owner = await Client.open(s, 'c1');
    const id = await queue(s, threeNodes());
    await owner.waitFor((f) => f.type === 'executing' && f.data.node === '1');
    await post(s, '/interrupt');
    const frames = await owner.run(id);
    const interrupted = frames.find((f) => f.type === 'execution_interrupted')!.data;
    assert.equal(interrupted.node_id, '2');
    assert.deepEqual(interrupted.executed, ['1']);
    assert.ok(frames.some((f) => f.type === 'executing' && f.data.node === '2'));
    owner.close();
  });

  it('deletes a pending prompt: it never runs and sends no frame', async () => {
    const s = await start({ stepMs: 5 });
    const owner = await Client.open(s, 'c1');
    const slow = await queue(s, txt2img({ steps: 40 }));
    const doomed = await queue(s, threeNodes());
    const res = await post(s, '/queue', { delete: [doomed] });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.deepEqual((await getJson(s, '/queue')).json.queue_pending, []);
    await owner.run(slow);
    await sleep(30);
    assert.ok(!owner.frames.some((f) => f.data.prompt_id === doomed));
    assert.deepEqual((await getJson(s, `/history/${doomed}`)).json, {});
    assert.deepEqual(s.stats().deleted, [doomed]);
    assert.deepEqual(s.stats().started, [slow]);
    owner.close();
  });

  it('answers an identical graph from the cache, naming the first run’s files; A, B, A runs A again', async () => {
    const s = await start();
    const owner = await Client.open(s, 'c1');
    const first = await queue(s, threeNodes(1));
    await owner.run(first);
    const from = owner.frames.length;
    const again = await queue(s, threeNodes(1));
    const frames = await owner.run(again, from);
    assert.deepEqual(compact(frames), [
      'status 1', 'status 1', 'execution_start', 'execution_cached [1,2,3]',
      'executed 3', 'progress_state 3=finished', 'execution_success', 'status 0', 'executing null',
    ]);
    const named = frames.find((f) => f.type === 'executed')!.data.output.images;
    assert.deepEqual(named, [{ filename: 'atelier_00001_.png', subfolder: '', type: 'output' }]);
    assert.deepEqual((await getJson(s, `/history/${again}`)).json[again].outputs['3'].images, named);
    assert.deepEqual(readdirSync(path.join(s.dataDir, 'output')), ['atelier_00001_.png']);

    const partly = owner.frames.length;
    const renamed = compact(await owner.run(await queue(s, threeNodes(1, 'renamed')), partly));
    assert.ok(renamed.includes('execution_cached [1,2]'));
    assert.deepEqual(renamed.filter((f) => f.startsWith('executing ') && f !== 'executing null'), ['executing 3']);

    await owner.run(await queue(s, threeNodes(2)));
    const third = owner.frames.length;
    const rerun = await queue(s, threeNodes(1));
    const full = compact(await owner.run(rerun, third));
    assert.ok(full.includes('execution_cached []'));
    assert.deepEqual(full.filter((f) => f.startsWith('executing ') && f !== 'executing null'), ['executing 1', 'executing 2', 'executing 3']);
    assert.equal(readdirSync(path.join(s.dataDir, 'output')).length, 4);
    owner.close();
  });

  it('moves the frames to a socket that reconnects with the same clientId mid-run', async () => {
    const s = await start({ stepMs: 10 });
    const old = await Client.open(s, 'rc');
    const id = await post(s, '/prompt', { prompt: txt2img({ steps: 30 }), client_id: 'rc' }).then((r) => r.json.prompt_id);
    await old.waitFor((f) => f.type === 'progress');
    const fresh = await Client.open(s, 'rc');
    const oldCount = old.frames.length;
    assert.deepEqual(fresh.frames[0].data.sid, 'rc');
    assert.deepEqual(fresh.frames[1], { type: 'executing', data: { node: '3' } });
    const rest = await fresh.run(id, 2);
    assert.ok(rest.some((f) => f.type === 'progress'));
    assert.ok(rest.some((f) => f.type === 'execution_success'));
    await sleep(30);
    assert.ok(old.frames.length <= oldCount + 2, 'the old socket went silent');
    assert.ok(!old.frames.some((f) => f.type === 'execution_success'));
    assert.equal(old.closed, false);
    old.close();
    fresh.close();
  });
});

describe('comfy stand-in: failures and fault controls', () => {
  it('reports a failing node with execution_error, then status, then the null marker', async () => {
    const s = await start();
    const owner = await Client.open(s, 'c1');
    const fault = await post(s, '/__standin/faults', { failClass: 'ImageBlur', message: 'blur exploded', times: 1 });
    assert.equal(fault.status, 200);
    const id = await queue(s, threeNodes());
    const frames = await owner.run(id, 1);
    const at = frames.findIndex((f) => f.type === 'execution_error');
    assert.deepEqual(compact(frames.slice(at - 1)), ['executing 2', 'execution_error', 'status 0', 'executing null']);
    const error = frames[at].data;
    assert.deepEqual(Object.keys(error).sort(), [
      'current_inputs', 'current_outputs', 'exception_message', 'exception_type', 'executed', 'node_id', 'node_type',
      'prompt_id', 'timestamp', 'traceback',
    ]);
    assert.equal(error.node_id, '2');
    assert.equal(error.node_type, 'ImageBlur');
    assert.deepEqual(error.executed, ['1']);
    assert.equal(error.exception_message, 'blur exploded\n');
    assert.equal(error.exception_type, 'RuntimeError');
    assert.ok(Array.isArray(error.traceback) && error.traceback.length > 0);
    assert.deepEqual(error.current_inputs.blur_radius, [1]);
    assert.ok(!frames.some((f) => f.type === 'progress_state' && Object.values(f.data.nodes).some((n: any) => n.state === 'error')));

    const entry = (await getJson(s, `/history/${id}`)).json[id];
    assert.deepEqual([entry.status.status_str, entry.status.completed, entry.outputs], ['error', false, {}]);
    assert.equal(entry.status.messages.at(-1)[0], 'execution_error');

    const retry = await queue(s, threeNodes());
    await owner.run(retry);
    assert.equal((await getJson(s, `/history/${retry}`)).json[retry].status.status_str, 'success');
    owner.close();
  });

  it('fails a sampler with an out-of-memory error through the method API', async () => {
    const s = await start();
    const owner = await Client.open(s, 'c1');
    s.faults.failClass({ failClass: 'KSampler', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const frames = await owner.run(await queue(s, txt2img()));
    const error = frames.find((f) => f.type === 'execution_error')!.data;
    assert.equal(error.node_type, 'KSampler');
    assert.equal(error.exception_type, 'torch.OutOfMemoryError');
    assert.match(error.exception_message, /^CUDA out of memory\. Tried to allocate 2\.00 GiB\nThis error means you ran out of memory/);
    s.faults.clear();
    owner.close();
  });

  it('drops every open socket after N more frames', async () => {
    const s = await start();
    const client = await Client.open(s, 'c1');
    await post(s, '/__standin/faults', { dropSocketsAfterFrames: 4 });
    const id = await queue(s, threeNodes());
    for (let i = 0; i < 100 && !client.closed; i++) await sleep(10);
    assert.equal(client.closed, true);
    assert.equal(client.frames.length, 1 + 4);
    for (let i = 0; i < 100 && !(await getJson(s, `/history/${id}`)).json[id]; i++) await sleep(10);
    assert.equal((await getJson(s, `/history/${id}`)).json[id].status.status_str, 'success');
  });

  it('exposes stats, faults and timing over HTTP', async () => {
    const s = await start();
    const timing = await post(s, '/__standin/timing', { stepMs: 7 });
    assert.deepEqual(timing.json, { stepMs: 7, nodeMs: 1 });
    assert.deepEqual(s.timing(), { stepMs: 7, nodeMs: 1 });
    await post(s, '/__standin/faults', { failClass: 'VAEDecode', times: 2 });
    const faults = (await getJson(s, '/__standin/faults')).json;
    assert.deepEqual(faults.failures, [
      { failClass: 'VAEDecode', message: 'CUDA out of memory', exceptionType: 'torch.OutOfMemoryError', remaining: 2 },
    ]);
    assert.deepEqual((await fetch(`${s.url}/__standin/faults`, { method: 'DELETE' }).then((r) => r.json())).failures, []);
    await post(s, '/prompt', { prompt: threeNodes() });
    const stats = (await getJson(s, '/__standin/stats')).json;
    assert.equal(stats.queued, 1);
    assert.equal((await fetch(`${s.url}/api/__standin/stats`)).status, 404, 'controls are not part of the ComfyUI API');
  });

  it('forgets everything as a kill -9 would: queue, history, running prompt, sockets', async () => {
    const s = await start({ stepMs: 20 });
    const owner = await Client.open(s, 'c1');
    const done = await queue(s, threeNodes());
    await owner.run(done);
    const running = await queue(s, txt2img({ steps: 100 }));
    const pending = await queue(s, threeNodes(5));
    await owner.waitFor((f) => f.type === 'progress');
    const res = await post(s, '/__standin/forget');
    assert.equal(res.status, 200);
    for (let i = 0; i < 100 && !owner.closed; i++) await sleep(5);
    assert.equal(owner.closed, true);
    assert.deepEqual((await getJson(s, '/queue')).json, { queue_running: [], queue_pending: [] });
    for (const id of [done, running, pending]) assert.deepEqual((await getJson(s, `/history/${id}`)).json, {});
    await sleep(60);
    assert.deepEqual(s.stats().started, [done, running]);
    assert.equal(s.stats().executed[running], undefined);

    const after = await Client.open(s, 'c1');
    const again = await post(s, '/prompt', { prompt: threeNodes(), client_id: 'c1' });
    assert.equal(again.json.number, 0);
    const frames = await after.run(again.json.prompt_id, 1);
    assert.ok(frames.some((f) => f.type === 'execution_cached' && f.data.nodes.length === 0), 'the cache went too');
    after.close();

    const log = readFileSync(s.eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(log.filter((e) => e.event === 'forgotten').length, 1);
    assert.equal(log.filter((e) => e.event === 'queued').length, 4);
  });
});

describe('comfy stand-in: files and catalogue', () => {
  const upload = async (s: ComfyStandin, name: string, bytes: Buffer, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const res = await fetch(`${s.url}/upload/image`, { method: 'POST', body: form });
    return { status: res.status, json: res.status === 200 ? await res.json() : await res.text() };
  };

  it('names uploads like ComfyUI: identical bytes keep the name, others get " (1)", overwrite replaces', async () => {
    const s = await start();
    const a = Buffer.from('first image');
    const b = Buffer.from('second image');
    assert.deepEqual((await upload(s, 'photo.png', a)).json, { name: 'photo.png', subfolder: '', type: 'input' });
    assert.deepEqual((await upload(s, 'photo.png', a)).json, { name: 'photo.png', subfolder: '', type: 'input' });
    assert.equal((await upload(s, 'photo.png', b)).json.name, 'photo (1).png');
    assert.equal((await upload(s, 'photo.png', b)).json.name, 'photo (1).png');
    assert.equal((await upload(s, 'photo.png', Buffer.from('third'))).json.name, 'photo (2).png');
    assert.equal((await upload(s, 'photo.png', b, { overwrite: 'true' })).json.name, 'photo.png');
    assert.deepEqual(readFileSync(path.join(s.dataDir, 'input', 'photo.png')), b);
    assert.deepEqual((await upload(s, 'p.png', a, { subfolder: 'refs', type: 'input' })).json, { name: 'p.png', subfolder: 'refs', type: 'input' });
    assert.equal((await upload(s, 'p.png', a, { subfolder: '../../escape' })).status, 400);

    const form = new FormData();
    form.append('not_image', 'x');
    const missing = await fetch(`${s.url}/upload/image`, { method: 'POST', body: form });
    assert.equal(missing.status, 400);
    assert.equal(await missing.text(), '');
  });

  it('serves /view from the type folders, 404 with an empty body when missing, and never outside them', async () => {
    const s = await start();
    const png = await onePng(s);
    const ok = await fetch(`${s.url}/view?filename=${path.basename(png)}`);
    assert.equal(ok.status, 200);
    const missing = await fetch(`${s.url}/view?filename=nothing.png&type=output`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), '');
    assert.equal((await fetch(`${s.url}/view?filename=..%2Fstandin-events.jsonl`)).status, 400);
    assert.equal((await fetch(`${s.url}/view?filename=standin-events.jsonl&subfolder=..`)).status, 403);
    assert.equal((await fetch(`${s.url}/view?filename=x.png&type=secrets`)).status, 400);
    assert.equal((await fetch(`${s.url}/api/view?filename=${path.basename(png)}&type=input`)).status, 404);
  });

  it('continues the SaveImage counter over existing files and writes one file per batch image', async () => {
    const s = await start();
    writeFileSync(path.join(s.dataDir, 'output', 'batch_00007_.png'), 'earlier run');
    writeFileSync(path.join(s.dataDir, 'output', 'batchy_00099_.png'), 'another prefix');
    const owner = await Client.open(s, 'c1');
    const graph = threeNodes(0, 'shots/batch') as any;
    graph['1'].inputs.batch_size = 2;
    const frames = await owner.run(await queue(s, graph));
    assert.deepEqual(frames.find((f) => f.type === 'executed')!.data.output.images, [
      { filename: 'batch_00001_.png', subfolder: 'shots', type: 'output' },
      { filename: 'batch_00002_.png', subfolder: 'shots', type: 'output' },
    ]);
    const flat = threeNodes(0, 'batch') as any;
    let from = owner.frames.length;
    const next = await owner.run(await queue(s, flat), from);
    assert.equal(next.find((f) => f.type === 'executed')!.data.output.images[0].filename, 'batch_00008_.png');
    const escape = threeNodes(0, '../outside') as any;
    from = owner.frames.length;
    const failed = await owner.run(await queue(s, escape), from);
    assert.match(failed.find((f) => f.type === 'execution_error')!.data.exception_message, /Saving image outside the output folder is not allowed/);
    owner.close();
  });

  it('loads, inverts, scales and previews an uploaded image with real pixels', async () => {
    const s = await start();
    const red = readFileSync(await onePng(s));
    await upload(s, 'red.png', red);
    const owner = await Client.open(s, 'c1');
    const graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'red.png' } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'ImageScale', inputs: { image: ['2', 0], upscale_method: 'bilinear', width: 32, height: 0, crop: 'disabled' } },
      '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
    };
    const frames = await owner.run(await queue(s, graph));
    const image = frames.find((f) => f.type === 'executed')!.data.output.images[0];
    assert.equal(image.type, 'temp');
    assert.match(image.filename, /^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(path.join(s.dataDir, 'temp', image.filename)).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [32, 24]);
    assert.deepEqual([...data.subarray(0, 3)], [0, 255, 255], 'red inverted is cyan');
    owner.close();
  });

  it('describes its node classes in /object_info, re-reading the LoRA folder on every request', async () => {
    const s = await start();
    const { json: all } = await getJson(s, '/object_info');
    for (const name of ['CheckpointLoaderSimple', 'LoraLoader', 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler', 'VAEDecode',
      'VAEEncode', 'SaveImage', 'PreviewImage', 'LoadImage', 'EmptyImage', 'ImageBlur', 'ImageScale', 'ImageInvert']) {
      assert.ok(all[name], name);
    }
    const save = all.SaveImage;
    assert.equal(save.output_node, true);
    assert.deepEqual(save.input_order, { required: ['images', 'filename_prefix'], hidden: ['prompt', 'extra_pnginfo'] });
    assert.equal(save.input.required.filename_prefix[1].default, 'ComfyUI');
    assert.deepEqual(all.CheckpointLoaderSimple.output, ['MODEL', 'CLIP', 'VAE']);
    assert.deepEqual(all.CheckpointLoaderSimple.input.required.ckpt_name[0], ['atelier-demo-sdxl.safetensors']);
    assert.deepEqual(all.LoadImage.output, ['IMAGE', 'MASK']);
    assert.deepEqual(all.ImageScale.input.required.crop, ['COMBO', { options: ['disabled', 'center'] }]);
    assert.deepEqual((await getJson(s, '/object_info/NoSuchNode')).json, {});

    const raw = await (await fetch(`${s.url}/object_info/KSampler`)).text();
    assert.match(raw, /"max":18446744073709551615[,}]/);

    assert.deepEqual((await getJson(s, '/object_info/LoraLoader')).json.LoraLoader.input.required.lora_name[0], ['pixel-art-xl.safetensors']);
    writeFileSync(path.join(s.dataDir, 'models', 'loras', 'ink-style.safetensors'), 'lora weights');
    assert.deepEqual((await getJson(s, '/api/object_info/LoraLoader')).json.LoraLoader.input.required.lora_name[0], ['ink-style.safetensors', 'pixel-art-xl.safetensors']);
  });

  it('renders deterministically from seed, prompt and LoRA', async () => {
    const s = await start();
    writeFileSync(path.join(s.dataDir, 'models', 'loras', 'ink-style.safetensors'), 'lora weights');
    const sharp = (await import('sharp')).default;
    const render = async (graph: unknown) => {
      const client = await Client.open(s, 'c1');
      const frames = await client.run(await queue(s, graph));
      client.close();
      await s.forget(); // drops the cache, so an identical graph renders again
      const image = frames.find((f) => f.type === 'executed')!.data.output.images[0];
      return (await sharp(path.join(s.dataDir, 'output', image.filename)).raw().toBuffer()).toString('hex');
    };
    const base = await render(txt2img());
    assert.equal(await render(txt2img()), base);
    for (const other of [txt2img({ seed: 43 }), txt2img({ text: 'a lighthouse at dawn' }), txt2img({ lora: 'ink-style.safetensors' })]) {
      assert.notEqual(await render(other), base);
    }
  });
});

describe('comfy stand-in: the rest of the surface', () => {
  it('marks itself as a demo in /system_stats, answers /features, and 404s unknown routes', async () => {
    const s = await start();
    const { json: stats } = await getJson(s, '/system_stats');
    assert.equal(stats.system.comfyui_version, '0.33.0-atelier-standin');
    assert.equal(stats.devices[0].name, 'Atelier demo stand-in (CPU, sharp)');
    assert.equal(stats.devices[0].type, 'cpu');
    assert.equal(typeof (await getJson(s, '/api/features')).json.max_upload_size, 'number');
    assert.equal((await fetch(`${s.url}/no/such/route`)).status, 404);
    assert.equal((await fetch(`${s.url}/api/history/unknown-id`)).status, 200);
    assert.deepEqual((await getJson(s, '/history/unknown-id')).json, {});
    assert.equal((await post(s, '/queue', 'not json')).status, 500);
    assert.equal((await post(s, '/prompt', { prompt: [1, 2] })).status, 500);
    assert.equal((await post(s, '/prompt', { prompt: { '1': { class_type: 'SaveImage', inputs: { images: ['9', 0] } } } })).status, 400);
    assert.equal((await getJson(s, '/system_stats')).status, 200, 'still alive after bad input');
  });

  it('runs as its own process: announces one JSON line, logs events, exits cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'comfy-standin-proc-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/comfy-standin/main.ts', '--port', '0', '--data-dir', dataDir, '--step-ms', '1', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const announced = JSON.parse(line);
    assert.equal(announced.standin, 'comfyui');
    assert.match(announced.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${announced.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: threeNodes() }) });
    const { prompt_id: id } = await res.json();
    for (let i = 0; i < 200; i++) {
      const history = await (await fetch(`${announced.url}/history/${id}`)).json();
      if (history[id]) break;
      await sleep(10);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const events = readFileSync(path.join(dataDir, 'standin-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    assert.deepEqual(events, ['standin_started', 'queued', 'started', 'image_written', 'executed']);
  });
});
