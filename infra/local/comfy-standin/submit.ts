import { randomUUID } from 'node:crypto';
import { isObject, type Json } from './json.ts';
import type { EventLog } from './events.ts';
import type { DataDirs } from './paths.ts';
import type { InstalledNodes } from './nodes/installed.ts';
import type { PromptQueue, QueueItem } from './queue.ts';
import { MalformedPrompt, validatePrompt } from './validate.ts';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** extra_data keys ComfyUI keeps out of /queue and /history */
const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];

export type Reply = { status: number; json: unknown } | { status: 500 };

interface Deps {
  queue: PromptQueue;
  dirs: DataDirs;
  installed: InstalledNodes;
  events: EventLog;
  log: (line: string) => void;
}

const problem = (type: string, message: string, details: string) => ({ type, message, details, extra_info: {} });

/** POST /prompt: ComfyUI's post_prompt, given the parsed body. */
export function submitPrompt(body: Json, { queue, dirs, installed, events, log }: Deps): Reply {
  if (typeof body !== 'string' && typeof body !== 'object' || body === null) return { status: 500 };
  const data: Record<string, Json> = isObject(body) ? body : {};
  log('got prompt');

  let number: number;
  if (Object.hasOwn(data, 'number')) {
    number = Number(data.number);
    if (typeof data.number === 'object' || Number.isNaN(number)) return { status: 500 };
  } else {
    number = queue.nextNumber(Boolean(data.front));
  }

  if (!Object.hasOwn(data, 'prompt')) {
    return { status: 400, json: { error: problem('no_prompt', 'No prompt provided', 'No prompt provided'), node_errors: {} } };
  }
  const promptId = data.prompt_id == null ? randomUUID() : data.prompt_id;
  if (typeof promptId !== 'string' || !CANONICAL_UUID.test(promptId)) {
    const details = 'prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one';
    return { status: 400, json: { error: problem('invalid_prompt_id', 'prompt_id must be a valid UUID', details), node_errors: {} } };
  }

  let validation;
  try {
    validation = validatePrompt(data.prompt, dirs, installed, data.partial_execution_targets);
  } catch (error) {
    if (error instanceof MalformedPrompt) return { status: 500 };
    throw error;
  }
  if (!validation.ok) {
    log(`invalid prompt: ${validation.error.type}: ${validation.error.message}`);
    return { status: 400, json: { error: validation.error, node_errors: validation.nodeErrors } };
  }

  const extraData: Record<string, Json> = isObject(data.extra_data) ? { ...data.extra_data } : {};
  if (Object.hasOwn(data, 'client_id')) extraData.client_id = data.client_id;
  extraData.create_time = Date.now();
  for (const key of SENSITIVE_EXTRA_DATA_KEYS) delete extraData[key];

  const item: QueueItem = [number, promptId, validation.graph, extraData, validation.outputs];
  events.queued(promptId, number, extraData.client_id == null ? null : String(extraData.client_id));
  queue.put(item);
  return { status: 200, json: { prompt_id: promptId, number, node_errors: validation.nodeErrors } };
}
