// POST /v1/chat/completions: text and image inputs, response_format (json_schema, json_object), stream with SSE
// chunks as the OpenAI API sends them (role first, content deltas, a finish chunk, the usage chunk, [DONE]).
import type { Request, Response } from 'express';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestProblem, sendOpenAiError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { replyFor } from './replies/index.ts';
import { viewOf } from './replies/request.ts';

export interface ChatDeps { faults: Faults; log: RequestLog; models: () => string[]; timing: () => { replyMs: number } }

const FINGERPRINT = 'fp_atelier_standin';
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** what a model that ignores response_format sends: prose around a fenced block */
const chatty = (json: string) => {
  let pretty = json;
  try { pretty = JSON.stringify(JSON.parse(json), null, 2); } catch { /* keep as is */ }
  return `Sure! Here is the JSON you asked for:\n\n\`\`\`json\n${pretty}\n\`\`\`\n\nLet me know if you would like any changes.`;
};

/** a reply cut off mid-way, with a stray character: JSON.parse fails on it */
const malformed = (text: string) => `${text.slice(0, Math.max(1, Math.floor(text.length * 0.6)))}",}`;

function chunksOf(text: string): string[] {
  return text.match(/\S*\s*/g)?.filter(Boolean) ?? [text];
}

export function chatRoute(deps: ChatDeps) {
  return async (req: Request, res: Response) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, any>;
    const started = Date.now();
    let view;
    try {
      view = viewOf(body);
    } catch (error) {
      if (!(error instanceof RequestProblem)) throw error;
      deps.log.add({ route: 'chat', status: 400, model: body.model, error: error.message });
      return sendOpenAiError(res, error.status, error.message, 'invalid_request_error', error.param, error.code);
    }
    if (!deps.models().includes(view.model)) {
      deps.log.add({ route: 'chat', status: 404, model: view.model });
      return sendOpenAiError(res, 404, `The model \`${view.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
    }
    const fault = deps.faults.take('chat');
    const logged = { route: 'chat' as const, model: view.model, schema: view.schema?.name ?? null, json: view.json, stream: Boolean(body.stream), images: view.images.length, system: view.system.slice(0, 2000), user: view.user.slice(0, 4000), fault: fault?.kind };
    if (fault?.kind === 'rate-limit') {
      deps.log.add({ ...logged, status: 429 });
      res.setHeader('retry-after', String(fault.retryAfter));
      res.setHeader('x-ratelimit-reset-requests', `${fault.retryAfter}s`);
      return sendOpenAiError(res, 429, `Rate limit reached for ${view.model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${fault.retryAfter}s.`, 'requests', null, 'rate_limit_exceeded');
    }
    if (fault?.kind === 'server-error') {
      deps.log.add({ ...logged, status: 500 });
      return sendOpenAiError(res, 500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
    }
    if (fault?.kind === 'no-response-format' && body.response_format && body.response_format.type !== 'text') {
      deps.log.add({ ...logged, status: 400 });
      return sendOpenAiError(res, 400, `response_format of type ${body.response_format.type} is not supported by ${view.model}`, 'invalid_request_error', 'response_format', null);
    }
    if (fault?.kind === 'slow') await sleep(fault.delayMs);

    if (fault?.kind === 'task') view.taskFault = fault.task;
    const { text: reply, generator } = await replyFor(view);
    const refusal = fault?.kind === 'refusal' ? "I'm sorry, but I can't help with that request." : null;
    const content = refusal ? null : fault?.kind === 'malformed-json' ? malformed(reply) : fault?.kind === 'chatty' ? chatty(reply) : reply;
    deps.log.add({ ...logged, status: 200, generator, reply: (content ?? refusal ?? '').slice(0, 8000) });

    const id = `chatcmpl-${crypto.createHash('sha256').update(reply + started).digest('hex').slice(0, 29)}`;
    const created = Math.floor(started / 1000);
    const promptTokens = tokens(view.transcript.map((m) => m.text).join('\n')) + 85 * view.images.length;
    const completionTokens = tokens(content ?? refusal ?? '');
    const usage = {
      prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const replyMs = deps.timing().replyMs;

    if (!body.stream) {
      if (replyMs) await sleep(replyMs);
      res.json({
        id, object: 'chat.completion', created, model: view.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage, service_tier: 'default', system_fingerprint: FINGERPRINT,
      });
      return;
    }

    const includeUsage = Boolean(body.stream_options?.include_usage);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    res.on('close', () => { closed = true; });
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) => {
      if (closed) return;
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: view.model, service_tier: 'default', system_fingerprint: FINGERPRINT, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`);
    };
    send([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    const pieces = chunksOf(content ?? refusal ?? '');
    // paced against the clock, so a long reply takes replyMs in all (a timer per word would add a millisecond each)
    const streamStart = Date.now();
    for (const [index, piece] of pieces.entries()) {
      if (closed) return;
      const wait = streamStart + (replyMs * (index + 1)) / pieces.length - Date.now();
      if (wait >= 4) await sleep(wait);
      send([{ index: 0, delta: refusal ? { refusal: piece } : { content: piece }, logprobs: null, finish_reason: null }]);
    }
    send([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    if (includeUsage && !closed) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: view.model, service_tier: 'default', system_fingerprint: FINGERPRINT, choices: [], usage })}\n\n`);
    if (!closed) res.end('data: [DONE]\n\n');
  };
}
