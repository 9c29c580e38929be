// Test helpers for campaigns: start one, read what the LLM stand-in was asked, check a pack's Markdown links.
import fs from 'node:fs';
import path from 'node:path';
import type { TestStack } from './stack.ts';
import type { ReadEntry } from './zip.ts';

export async function startCampaign(stack: TestStack, body: Record<string, unknown>): Promise<string> {
  const response = await stack.api('/api/campaigns', { method: 'POST', json: body });
  if (response.status !== 202) throw new Error(`campaign refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function llmFault(stack: TestStack, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.llmUrl.replace(/\/v1$/, '')}/__standin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  if (!response.ok) throw new Error(`the LLM stand-in refused the fault: ${await response.text()}`);
}

export async function llmTiming(stack: TestStack, replyMs: number): Promise<void> {
  await fetch(`${stack.llmUrl.replace(/\/v1$/, '')}/__standin/timing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replyMs }) });
}

export interface LlmRequestLine { route: string; status: number; generator?: string; schema?: string | null; user?: string; system?: string; time: string }

/** every request the LLM stand-in answered (its log survives the stand-in's restarts) */
export function llmRequests(stack: TestStack): LlmRequestLine[] {
  const file = path.join(stack.dataDir, 'llm', 'openai-requests.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** chapter requests of the stand-in, by scene id (the prompt's `Scene:` line) */
export function chapterRequests(stack: TestStack, campaignTitle: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of llmRequests(stack)) {
    if (request.generator !== 'campaign-chapter' || !request.user?.includes(`Campaign: ${campaignTitle}\n`)) continue;
    const scene = /^Scene: (\S+)$/m.exec(request.user)?.[1];
    if (scene) counts.set(scene, (counts.get(scene) ?? 0) + 1);
  }
  return counts;
}

/** Markdown links and images of the pack that do not land on a file (and anchor) inside it */
export function brokenLinks(entries: ReadEntry[]): string[] {
  const files = new Map(entries.map((e) => [e.name, e.data]));
  const broken: string[] = [];
  for (const entry of entries.filter((e) => e.name.endsWith('.md'))) {
    const text = entry.data.toString('utf8');
    for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const href = match[1]!;
      if (/^[a-z]+:/i.test(href)) continue;
      const [file, anchor] = href.split('#');
      const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(entry.name), file)) : entry.name;
      const data = files.get(target);
      if (!data) { broken.push(`${entry.name}: ${href} (no file ${target})`); continue; }
      if (anchor && !data.toString('utf8').includes(`<a id="${anchor}"></a>`)) broken.push(`${entry.name}: ${href} (no anchor #${anchor} in ${target})`);
    }
  }
  return broken;
}
