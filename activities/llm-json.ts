// JSON out of an LLM's reply, however it came: bare, fenced in ```json, or inside chatty prose (models behind
// LiteLLM or Ollama may ignore response_format). Then checked with zod; problems said in words for a repair request.
import type { z } from 'zod';

export class NotJsonError extends Error {}

/** The first complete JSON object or array in the text, with its strings respected. */
function balancedJson(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return undefined;
      if (!stack.length) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

export function extractJson(reply: string): unknown {
  const text = reply.trim();
  const candidates = [text];
  for (const fence of text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)) candidates.push(fence[1]!.trim());
  const balanced = balancedJson(text);
  if (balanced) candidates.push(balanced);
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  throw new NotJsonError(`the reply is not JSON (${firstError || 'empty reply'})`);
}

/** zod issues as short lines naming where: `steps.2.prompt: expected string` */
export function describeZodIssues(error: z.ZodError, limit = 8): string {
  const lines = error.issues.slice(0, limit).map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
  if (error.issues.length > limit) lines.push(`… and ${error.issues.length - limit} more`);
  return lines.join('; ');
}

export function repairRequest(problem: string): string {
  return `Your reply could not be used: ${problem}. Reply again with only the corrected JSON, matching the schema exactly, and nothing else.`;
}
