// An OpenAI-compatible server for the demo and the tests: /v1/chat/completions, /v1/images/edits, /v1/models,
// deterministic from its input, with faults on request under /__standin/ (not part of the OpenAI API).
import { createServer } from 'node:http';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import type { Standin, StandinOptions } from '../standin.ts';
import { sendOpenAiError } from './errors.ts';
import { Faults, FAULT_KINDS, type FaultSpec } from './faults.ts';
import { RequestLog } from './request-log.ts';
import { chatRoute } from './chat.ts';
import { editsRoute, imageUpload } from './images.ts';

export const DEFAULT_MODELS = ['llama3.1', 'llava', 'gpt-image-1', 'gpt-4o-mini'];

export interface OpenAiStandinOptions extends StandinOptions {
  /** model ids it serves (GET /v1/models); others answer 404 model_not_found */
  models?: string[];
  /** time to produce a whole reply (spread over a stream's chunks); default 0 */
  replyMs?: number;
}

export interface OpenAiStandin extends Standin {
  readonly kind: 'openai';
  readonly faults: Faults;
  readonly requestsFile: string;
  setTiming(timing: { replyMs?: number }): void;
}

export async function startOpenAiStandin(opts: OpenAiStandinOptions): Promise<OpenAiStandin> {
  const models = [...new Set(opts.models?.length ? opts.models : DEFAULT_MODELS)];
  const timing = { replyMs: opts.replyMs ?? 0 };
  const faults = new Faults();
  const log = new RequestLog(path.resolve(opts.dataDir));
  const created = Math.floor(Date.now() / 1000);

  const app = express();
  app.disable('x-powered-by');
  const control = express.Router();
  control.use(express.json());
  control.get('/health', (_req, res) => void res.json({ ok: true, kind: 'openai', pid: process.pid, models }));
  control.get('/faults', (_req, res) => void res.json({ faults: faults.list(), timing }));
  control.post('/faults', (req, res) => {
    const body = req.body as FaultSpec;
    if (!FAULT_KINDS.includes(body?.kind)) return void res.status(400).json({ error: `kind must be one of ${FAULT_KINDS.join(', ')}` });
    faults.add(body);
    res.json({ faults: faults.list() });
  });
  control.delete('/faults', (_req, res) => { faults.clear(); res.json({ faults: [] }); });
  control.post('/timing', (req, res) => {
    const replyMs = Number(req.body?.replyMs);
    if (Number.isFinite(replyMs) && replyMs >= 0) timing.replyMs = replyMs;
    res.json(timing);
  });
  control.get('/requests', (req, res) => void res.json({ requests: log.recent(Number(req.query.limit) || 200) }));
  app.use('/__standin', control);

  const v1 = express.Router();
  v1.use((req, res, next) => {
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
      return sendOpenAiError(res, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error', null, null);
    }
    next();
  });
  v1.get('/models', (_req, res) => void res.json({ object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'atelier-standin' })) }));
  v1.get('/models/:id', (req, res) => {
    if (!models.includes(req.params.id)) return sendOpenAiError(res, 404, `The model '${req.params.id}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
    res.json({ id: req.params.id, object: 'model', created, owned_by: 'atelier-standin' });
  });
  v1.post('/chat/completions', express.json({ limit: '50mb' }), chatRoute({ faults, log, models: () => models, timing: () => timing }));
  v1.post('/images/edits', imageUpload, editsRoute({ faults, log, models: () => models }));
  v1.use((req, res) => sendOpenAiError(res, 404, `Invalid URL (${req.method} /v1${req.path})`, 'invalid_request_error'));
  app.use('/v1', v1);
  app.use((req, res) => sendOpenAiError(res, 404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error'));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    if (res.headersSent) return void res.end();
    if (error?.type === 'entity.parse.failed') return sendOpenAiError(res, 400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', 'invalid_request_error');
    if (error?.code === 'LIMIT_FILE_SIZE' || error?.type === 'entity.too.large') return sendOpenAiError(res, 413, 'The request is too large.', 'invalid_request_error');
    if (error?.name === 'MulterError') return sendOpenAiError(res, 400, `Invalid multipart body: ${error.message}`, 'invalid_request_error', error.field ?? null);
    process.stderr.write(`[openai-standin] request failed: ${error?.stack ?? error}\n`);
    sendOpenAiError(res, 500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
  };
  app.use(onError);

  const server = createServer(app);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  return {
    kind: 'openai',
    url: `http://${host}:${port}/v1`,
    port,
    faults,
    requestsFile: log.file,
    setTiming: ({ replyMs }) => { if (replyMs !== undefined) timing.replyMs = replyMs; },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
