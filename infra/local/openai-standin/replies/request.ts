// A chat request as the reply generators see it: the texts, the images (decoded), the reply format asked for.
import { RequestProblem } from '../errors.ts';
import { seededRandom, seedOf, type Random } from './random.ts';

export type JsonSchema = Record<string, any>;

export interface ChatMessage { role: string; content: unknown; name?: string }

export interface ChatView {
  model: string;
  /** every system and developer message, joined */
  system: string;
  /** the last user message's text */
  user: string;
  transcript: { role: string; text: string }[];
  /** the images of the last user message that came as data: URLs */
  images: Buffer[];
  /** response_format json_schema */
  schema?: { name: string; schema: JsonSchema };
  /** a JSON reply was asked for (json_schema or json_object) */
  json: boolean;
  random: Random;
  /** a `task` fault asked for this request: the flaw a task generator puts in its reply */
  taskFault?: string;
}

function partsOf(content: unknown, param: string): { text: string; images: Buffer[] } {
  if (typeof content === 'string') return { text: content, images: [] };
  if (content === null || content === undefined) return { text: '', images: [] };
  if (!Array.isArray(content)) throw new RequestProblem(`Invalid type for '${param}': expected one of a string or an array of objects, but got an object instead.`, param, 'invalid_type');
  const texts: string[] = [];
  const images: Buffer[] = [];
  content.forEach((part, index) => {
    const where = `${param}[${index}]`;
    if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part?.type === 'image_url' && typeof part.image_url?.url === 'string') {
      const match = /^data:image\/[a-z+.-]+;base64,(.*)$/s.exec(part.image_url.url);
      if (match) images.push(Buffer.from(match[1]!, 'base64'));
      else if (!/^https?:\/\//.test(part.image_url.url)) throw new RequestProblem(`Invalid '${where}.image_url.url': expected a URL or a base64 data URL.`, `${where}.image_url.url`, 'invalid_value');
    } else throw new RequestProblem(`Invalid value for '${where}.type': expected 'text' or 'image_url'.`, `${where}.type`, 'invalid_value');
  });
  return { text: texts.join('\n'), images };
}

/** `JSON schema (name):` followed by the schema, as activities/llm.ts writes it into the system prompt */
function schemaInPrompt(system: string): ChatView['schema'] {
  const match = /JSON schema \(([\w.-]+)\):\s*/.exec(system);
  if (!match) return undefined;
  const rest = system.slice(match.index + match[0].length);
  for (let end = rest.indexOf('}'); end >= 0; end = rest.indexOf('}', end + 1)) {
    try { return { name: match[1]!, schema: JSON.parse(rest.slice(0, end + 1)) }; } catch { /* a longer prefix */ }
  }
  return undefined;
}

export function viewOf(body: Record<string, any>): ChatView {
  if (typeof body.model !== 'string' || !body.model) throw new RequestProblem("you must provide a model parameter", 'model', 'missing_required_parameter');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new RequestProblem("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  const transcript: ChatView['transcript'] = [];
  let images: Buffer[] = [];
  body.messages.forEach((message: ChatMessage, index: number) => {
    if (!message || typeof message.role !== 'string') throw new RequestProblem(`Missing required parameter: 'messages[${index}].role'.`, `messages[${index}].role`, 'missing_required_parameter');
    const parts = partsOf(message.content, `messages[${index}].content`);
    transcript.push({ role: message.role, text: parts.text });
    if (message.role === 'user') images = parts.images;
  });
  const format = body.response_format;
  let schema: ChatView['schema'];
  if (format?.type === 'json_schema') {
    if (!format.json_schema || typeof format.json_schema.name !== 'string') throw new RequestProblem("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
    schema = { name: format.json_schema.name, schema: format.json_schema.schema ?? {} };
  } else if (format && !['text', 'json_object', undefined].includes(format.type)) {
    throw new RequestProblem(`Invalid value: '${format.type}'. Supported values are: 'json_object', 'json_schema', and 'text'.`, 'response_format.type', 'invalid_value');
  }
  const system = transcript.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.text).join('\n');
  const user = transcript.filter((m) => m.role === 'user').at(-1)?.text ?? '';
  const imageHashes = images.map((b) => b.length);
  // a model asked without response_format still follows a schema given in the prompt, as instruction-tuned models do
  schema ??= schemaInPrompt(system);
  return {
    model: body.model, system, user, transcript, images, schema,
    json: Boolean(schema) || format?.type === 'json_object',
    random: seededRandom(seedOf(body.model, transcript, format ?? null, imageHashes, body.seed ?? null)),
  };
}
