// The OpenAI-compatible client of every pipeline (planner, writer, captions): OpenAI, LiteLLM, Ollama, or the demo
// stand-in. JSON replies are checked with zod and repaired by asking again with the problem; rate limits and server
// errors are waited out (Retry-After honoured, the caller kept alive); replies can stream.
import OpenAI, { APIError, APIConnectionError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeZodIssues, extractJson, NotJsonError, repairRequest } from './llm-json.ts';

export interface LlmConfig { baseUrl: string; apiKey?: string; model: string; visionModel: string; timeoutMs?: number; maxWaits?: number }

export interface LlmCallOptions {
  /** told of waits and fallbacks, for the job's events */
  onNotice?: (message: string, data?: Record<string, unknown>) => void;
  /** called while waiting and while a reply streams (an activity heartbeats here) */
  onAlive?: (detail?: Record<string, unknown>) => void;
  signal?: AbortSignal;
}

export interface LlmPrompt { system: string; user: string; images?: Buffer[]; model?: string; temperature?: number }

export interface JsonRequest<T> extends LlmPrompt {
  schema: z.ZodType<T>;
  /** names the reply format (response_format json_schema name), e.g. `scene_plan` */
  name: string;
  /** checks the schema cannot express (ids that must exist...): problems in words, empty when fine */
  check?: (value: T) => string[];
  /** requests again after a reply that does not fit (default 2) */
  repairs?: number;
}

export interface ReplyAttempt { attempt: number; problem?: string; reply: string }

/** The replies never fitted: the message says why in words; a person decides what next. */
export class LlmReplyError extends Error {
  constructor(message: string, readonly attempts: ReplyAttempt[]) { super(message); }
}
export class LlmRefusalError extends LlmReplyError {}
/** The endpoint refuses for a reason only configuration fixes (key, model name): do not retry. */
export class LlmConfigError extends Error {}
/** Still unavailable after waiting: the activity's own retries take over. */
export class LlmUnavailableError extends Error {}

type Format = 'json_schema' | 'json_object' | 'none';

function dataUrl(bytes: Buffer): string {
  const mime = bytes[0] === 0xff && bytes[1] === 0xd8 ? 'image/jpeg' : bytes.subarray(8, 12).toString() === 'WEBP' ? 'image/webp' : 'image/png';
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

function retryAfterMs(error: APIError): number | undefined {
  const headers = error.headers;
  const ms = Number(headers?.get?.('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function llmClient(config: LlmConfig) {
  const openai = new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey || 'none', maxRetries: 0, timeout: config.timeoutMs ?? 300_000 });
  const maxWaits = config.maxWaits ?? 6;
  let format: Format = 'json_schema';

  /** one request, with 429/5xx/connection failures waited out */
  async function call<T>(what: string, request: (signal?: AbortSignal) => Promise<T>, options: LlmCallOptions): Promise<T> {
    for (let wait = 0; ; wait++) {
      try {
        return await request(options.signal);
      } catch (error) {
        if (error instanceof APIUserAbortError || options.signal?.aborted) throw error;
        const status = error instanceof APIError ? error.status : undefined;
        if (status === 401 || status === 403) throw new LlmConfigError(`the LLM at ${config.baseUrl} refused the API key (${status}): set OPENAI_API_KEY to a key it accepts`);
        if (status === 404) throw new LlmConfigError(`the LLM at ${config.baseUrl} has no model for ${what} (${(error as Error).message}): set ATELIER_LLM_MODEL / ATELIER_VISION_MODEL to one it serves`);
        const transient = error instanceof APIConnectionError || status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
        if (!transient) throw error;
        if (wait >= maxWaits) throw new LlmUnavailableError(`the LLM at ${config.baseUrl} is still unavailable after ${wait + 1} tries: ${(error as Error).message}`);
        const hinted = error instanceof APIError ? retryAfterMs(error) : undefined;
        const ms = Math.min(hinted ?? 1000 * 2 ** wait, 120_000);
        options.onNotice?.(`${status === 429 ? 'the LLM is rate-limiting' : status ? `the LLM answered ${status}` : 'the LLM is unreachable'}; trying again in ${Math.ceil(ms / 1000)} s${hinted !== undefined ? ' (as its Retry-After asks)' : ''}`, { status, waitMs: ms });
        for (let left = ms; left > 0; left -= 1000) {
          options.onAlive?.({ waitingForLlm: true });
          await sleep(Math.min(1000, left), undefined, { signal: options.signal });
        }
      }
    }
  }

  const messagesFor = (prompt: LlmPrompt, extra: OpenAI.ChatCompletionMessageParam[] = []): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'system', content: prompt.system },
    prompt.images?.length
      ? { role: 'user', content: [{ type: 'text', text: prompt.user }, ...prompt.images.map((bytes) => ({ type: 'image_url' as const, image_url: { url: dataUrl(bytes) } }))] }
      : { role: 'user', content: prompt.user },
    ...extra,
  ];
  const modelFor = (prompt: LlmPrompt) => prompt.model ?? (prompt.images?.length ? config.visionModel : config.model);

  async function completeJson<T>(request: JsonRequest<T>, options: LlmCallOptions = {}): Promise<{ value: T; attempts: ReplyAttempt[] }> {
    const jsonSchema = z.toJSONSchema(request.schema, { unrepresentable: 'any' }) as Record<string, unknown>;
    delete jsonSchema.$schema;
    const prompt = { ...request, system: `${request.system}\n\nReply with one JSON value and nothing else. It must match this JSON schema (${request.name}):\n${JSON.stringify(jsonSchema)}` };
    const attempts: ReplyAttempt[] = [];
    const conversation: OpenAI.ChatCompletionMessageParam[] = [];
    const repairs = request.repairs ?? 2;
    for (let attempt = 1; attempt <= repairs + 1; attempt++) {
      const completion = await call(request.name, async (signal) => {
        for (;;) {
          const responseFormat = format === 'json_schema' ? { type: 'json_schema' as const, json_schema: { name: request.name, schema: jsonSchema, strict: false } } : format === 'json_object' ? { type: 'json_object' as const } : undefined;
          try {
            return await openai.chat.completions.create({ model: modelFor(request), messages: messagesFor(prompt, conversation), temperature: request.temperature ?? 0.2, ...(responseFormat ? { response_format: responseFormat } : {}) }, { signal });
          } catch (error) {
            // LiteLLM and Ollama models may refuse response_format: ask without it and find the JSON in the prose
            if (!(error instanceof APIError) || error.status !== 400 || format === 'none' || !/response_format|json_schema|json_object/i.test(`${error.message} ${(error as { param?: string }).param ?? ''}`)) throw error;
            const from = format;
            format = format === 'json_schema' ? 'json_object' : 'none';
            options.onNotice?.(`the LLM does not take response_format ${from}; asking with ${format === 'none' ? 'the schema in the prompt only' : format}`, { from, to: format });
          }
        }
      }, options);
      const message = completion.choices[0]?.message;
      const reply = message?.content ?? '';
      if (message?.refusal) {
        attempts.push({ attempt, problem: `refused: ${message.refusal}`, reply: message.refusal });
        throw new LlmRefusalError(`the LLM refused to answer the ${request.name.replace(/_/g, ' ')} request: "${message.refusal}"`, attempts);
      }
      let problem: string;
      try {
        const parsed = request.schema.safeParse(extractJson(reply));
        if (parsed.success) {
          const problems = request.check?.(parsed.data) ?? [];
          if (!problems.length) {
            attempts.push({ attempt, reply });
            return { value: parsed.data, attempts };
          }
          problem = problems.join('; ');
        } else problem = describeZodIssues(parsed.error);
      } catch (error) {
        if (!(error instanceof NotJsonError)) throw error;
        problem = error.message;
      }
      attempts.push({ attempt, problem, reply: reply.slice(0, 4000) });
      options.onNotice?.(`the ${request.name.replace(/_/g, ' ')} reply did not fit (${problem})${attempt <= repairs ? '; asking again with the problem' : ''}`, { attempt, problem });
      conversation.push({ role: 'assistant', content: reply }, { role: 'user', content: repairRequest(problem) });
    }
    const last = attempts.at(-1)!;
    throw new LlmReplyError(`the LLM's ${request.name.replace(/_/g, ' ')} did not fit the expected format after ${attempts.length} tries: ${last.problem}. The last reply began: "${last.reply.slice(0, 160).replace(/\s+/g, ' ')}"`, attempts);
  }

  /** Streams a text reply; onDelta sees each piece as it arrives. Returns the whole text. */
  async function streamText(prompt: LlmPrompt, onDelta: (delta: string, soFar: string) => void, options: LlmCallOptions = {}): Promise<string> {
    return call('text', async (signal) => {
      const stream = await openai.chat.completions.create({ model: modelFor(prompt), messages: messagesFor(prompt), temperature: prompt.temperature ?? 0.7, stream: true }, { signal });
      let text = '';
      let refusal = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        if (delta?.refusal) refusal += delta.refusal;
        if (!delta?.content) continue;
        text += delta.content;
        onDelta(delta.content, text);
        options.onAlive?.({ characters: text.length });
      }
      if (refusal && !text) throw new LlmRefusalError(`the LLM refused: "${refusal}"`, [{ attempt: 1, problem: 'refused', reply: refusal }]);
      return text;
    }, options);
  }

  async function completeText(prompt: LlmPrompt, options: LlmCallOptions = {}): Promise<string> {
    const completion = await call('text', (signal) => openai.chat.completions.create({ model: modelFor(prompt), messages: messagesFor(prompt), temperature: prompt.temperature ?? 0.7 }, { signal }), options);
    const message = completion.choices[0]?.message;
    if (message?.refusal) throw new LlmRefusalError(`the LLM refused: "${message.refusal}"`, [{ attempt: 1, problem: 'refused', reply: message.refusal }]);
    return message?.content ?? '';
  }

  return { config, openai, call, completeJson, completeText, streamText };
}

export type LlmClient = ReturnType<typeof llmClient>;
