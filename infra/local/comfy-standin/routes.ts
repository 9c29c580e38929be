import os from 'node:os';
import { Router } from 'express';
import type { EventLog } from './events.ts';
import type { Executor } from './executor.ts';
import { uploadImage, viewFile } from './files.ts';
import { SERVER_FEATURES } from './hub.ts';
import { jsonBody, rawText, sendEmpty, sendInternalError, sendJson } from './http.ts';
import { isObject } from './json.ts';
import { objectInfo } from './nodes/object-info.ts';
import type { DataDirs } from './paths.ts';
import type { InstalledNodes } from './nodes/installed.ts';
import type { PromptQueue } from './queue.ts';
import { submitPrompt } from './submit.ts';

export const STANDIN_VERSION = '0.33.0-atelier-standin';

interface Deps {
  queue: PromptQueue;
  executor: Executor;
  dirs: DataDirs;
  installed: InstalledNodes;
  events: EventLog;
  log: (line: string) => void;
}

/** ComfyUI's HTTP API; mounted both at / and at /api. */
export function comfyRoutes(deps: Deps): Router {
  const { queue, executor, dirs, installed, events } = deps;
  const router = Router();

  router.post('/prompt', rawText, (req, res) => {
    const reply = submitPrompt(jsonBody(req), deps);
    if (!('json' in reply)) return sendInternalError(res);
    sendJson(res, reply.json, reply.status);
  });
  router.get('/prompt', (_req, res) => sendJson(res, executor.queueInfo()));

  router.get('/queue', (_req, res) => sendJson(res, queue.snapshot()));
  router.post('/queue', rawText, (req, res) => {
    const body = jsonBody(req);
    if (!isObject(body)) return sendInternalError(res);
    if (body.clear) for (const id of queue.clear()) events.deleted(id);
    if (Array.isArray(body.delete)) {
      for (const id of body.delete) if (typeof id === 'string' && queue.delete(id)) events.deleted(id);
    }
    sendEmpty(res);
  });

  router.post('/interrupt', rawText, (req, res) => {
    const body = jsonBody(req, {});
    const promptId = isObject(body) && body.prompt_id ? String(body.prompt_id) : undefined;
    executor.interrupt(promptId);
    sendEmpty(res);
  });

  router.get('/history', (req, res) => {
    const max = typeof req.query.max_items === 'string' ? Number.parseInt(req.query.max_items, 10) : undefined;
    const offset = typeof req.query.offset === 'string' ? Number.parseInt(req.query.offset, 10) : -1;
    if (Number.isNaN(max) || Number.isNaN(offset)) return sendInternalError(res);
    sendJson(res, queue.entries(max, offset));
  });
  router.get('/history/:prompt_id', (req, res) => {
    const entry = queue.entry(req.params.prompt_id);
    sendJson(res, entry ? { [req.params.prompt_id]: entry } : {});
  });
  router.post('/history', rawText, (req, res) => {
    const body = jsonBody(req);
    if (!isObject(body)) return sendInternalError(res);
    if (body.clear) queue.deleteHistory('all');
    if (Array.isArray(body.delete)) queue.deleteHistory(body.delete.map(String));
    sendEmpty(res);
  });

  router.get('/object_info', (_req, res) => sendJson(res, objectInfo(dirs, undefined, installed)));
  router.get('/object_info/:node_class', (req, res) => sendJson(res, objectInfo(dirs, req.params.node_class, installed)));

  router.get('/models', (_req, res) => sendJson(res, ['checkpoints', 'loras']));
  router.get('/models/:folder', (req, res) => {
    const lists: Record<string, () => string[]> = { checkpoints: () => dirs.checkpointNames(), loras: () => dirs.loraNames() };
    const list = lists[req.params.folder];
    if (!list) return sendEmpty(res, 404);
    sendJson(res, list());
  });
  router.get('/embeddings', (_req, res) => sendJson(res, []));

  router.post('/upload/image', ...uploadImage(dirs));
  router.get('/view', viewFile(dirs));

  router.get('/system_stats', (_req, res) => {
    sendJson(res, {
      system: {
        os: process.platform === 'win32' ? 'nt' : 'posix',
        ram_total: os.totalmem(),
        ram_free: os.freemem(),
        comfyui_version: STANDIN_VERSION,
        required_frontend_version: 'none (Atelier demo stand-in has no frontend)',
        python_version: `none: Atelier demo stand-in on Node.js ${process.version}`,
        pytorch_version: 'none (images are drawn with sharp)',
        embedded_python: false,
        argv: process.argv,
      },
      devices: [
        {
          name: 'Atelier demo stand-in (CPU, sharp)',
          type: 'cpu',
          index: null,
          vram_total: os.totalmem(),
          vram_free: os.freemem(),
          torch_vram_total: 0,
          torch_vram_free: 0,
        },
      ],
    });
  });
  router.get('/features', (_req, res) => sendJson(res, SERVER_FEATURES));

  return router;
}
