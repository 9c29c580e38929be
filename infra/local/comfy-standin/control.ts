// Test and demo controls under /__standin/: not part of ComfyUI.
import { Router } from 'express';
import type { FailClassFault } from './faults.ts';
import { jsonBody, rawText, sendJson } from './http.ts';
import { isObject, type Json } from './json.ts';
import type { ComfyStandin } from './server.ts';

const num = (v: Json | undefined) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

export function controlRoutes(standin: () => ComfyStandin): Router {
  const router = Router();
  const faultState = () => ({ ...standin().faults.list(), timing: standin().timing() });

  router.get('/health', (_req, res) => sendJson(res, { ok: true, kind: 'comfyui', pid: process.pid }));
  router.get('/stats', (_req, res) => sendJson(res, standin().stats()));

  router.get('/faults', (_req, res) => sendJson(res, faultState()));
  /** {failClass, message?, exceptionType?, times?} and/or {dropSocketsAfterFrames} and/or {stepMs, nodeMs} */
  router.post('/faults', rawText, (req, res) => {
    const body = jsonBody(req, {});
    if (!isObject(body)) return sendJson(res, { error: 'expected a JSON object' }, 400);
    const s = standin();
    if (typeof body.failClass === 'string') {
      const spec: FailClassFault = { failClass: body.failClass };
      if (typeof body.message === 'string') spec.message = body.message;
      if (typeof body.exceptionType === 'string') spec.exceptionType = body.exceptionType;
      if (num(body.times) !== undefined) spec.times = num(body.times);
      s.faults.failClass(spec);
    }
    if (num(body.dropSocketsAfterFrames) !== undefined) s.faults.dropSocketsAfter(num(body.dropSocketsAfterFrames)!);
    s.setTiming({ stepMs: num(body.stepMs), nodeMs: num(body.nodeMs) });
    sendJson(res, faultState());
  });
  router.delete('/faults', (_req, res) => {
    standin().faults.clear();
    sendJson(res, faultState());
  });
  router.post('/timing', rawText, (req, res) => {
    const body = jsonBody(req, {});
    if (isObject(body)) standin().setTiming({ stepMs: num(body.stepMs), nodeMs: num(body.nodeMs) });
    sendJson(res, standin().timing());
  });
  router.get('/node-packs', (_req, res) => sendJson(res, { packs: standin().installed.packs() }));
  /** {without: [pack, …]}: the server has every node pack but these (an empty list puts them all back) */
  router.post('/node-packs', rawText, (req, res) => {
    const body = jsonBody(req, {});
    if (!isObject(body) || !Array.isArray(body.without) || body.without.some((p) => typeof p !== 'string')) return sendJson(res, { error: 'expected {"without": ["<node pack>", …]}' }, 400);
    try {
      standin().installed.setWithout(body.without as string[]);
    } catch (error) {
      return sendJson(res, { error: (error as Error).message }, 400);
    }
    sendJson(res, { packs: standin().installed.packs() });
  });
  router.post('/forget', async (_req, res) => {
    await standin().forget();
    sendJson(res, { forgotten: true });
  });
  return router;
}
