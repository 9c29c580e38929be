// Which reply a chat request gets: a task generator that claims it (by schema name or by what it asks), else a
// value built from the requested JSON schema, else plain text about the request. Pipelines add task generators here.
import type { ChatView } from './request.ts';
import { schemaValue } from './schema-value.ts';
import { describeLook, lookAt } from './vision.ts';
import { sentence, wordsOf } from './words.ts';
import { sceneReplies } from './scene.ts';
import { campaignOutlineGenerator } from './campaign-outline.ts';
import { campaignChapterGenerator } from './campaign-chapter.ts';

export interface ReplyGenerator {
  name: string;
  matches(view: ChatView): boolean;
  /** a string is sent as is; anything else as its JSON */
  reply(view: ChatView): Promise<unknown> | unknown;
}

/** Task generators, most specific first. */
const TASKS: ReplyGenerator[] = [...sceneReplies, campaignOutlineGenerator, campaignChapterGenerator];

async function plainText(view: ChatView): Promise<string> {
  const words = wordsOf(view.user);
  if (view.images.length) {
    const look = await lookAt(view.images[0]!);
    const subject = words.slice(0, 3).join(' ');
    return `${describeLook(look)}${subject ? `, showing ${subject}` : ''}.`;
  }
  const sentences = 2 + Math.floor(view.random() * 3);
  return Array.from({ length: sentences }, () => sentence(view.random, words, 6 + Math.floor(view.random() * 8))).join(' ');
}

export async function replyFor(view: ChatView): Promise<{ text: string; generator: string }> {
  const task = TASKS.find((t) => t.matches(view));
  if (task) {
    const value = await task.reply(view);
    return { text: typeof value === 'string' ? value : JSON.stringify(value), generator: task.name };
  }
  if (view.schema) return { text: JSON.stringify(schemaValue(view.schema.schema, view.random, wordsOf(view.user + ' ' + view.system))), generator: 'schema' };
  if (view.json) return { text: JSON.stringify({ reply: await plainText(view) }), generator: 'json' };
  return { text: await plainText(view), generator: 'text' };
}
