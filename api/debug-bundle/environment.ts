// What a debug bundle says about where the job ran: versions of Atelier, Node, the Temporal server and PostgreSQL,
// each pool's ComfyUI /system_stats, and the configuration that shapes a job (no secrets: URLs lose their
// credentials, and the whole bundle is redacted again before it is written).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiContext } from '../context.ts';
import { poolClient } from '../comfy-servers.ts';
import { withoutCredentials } from '../../core/redact.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const settle = async <T>(work: () => Promise<T>): Promise<T | { error: string }> => {
  try {
    return await Promise.race([work(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000))]);
  } catch (error) {
    return { error: (error as Error).message };
  }
};

function atelierVersion(): { version: string; commit: string | null } {
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  try {
    const head = fs.readFileSync(path.join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return { version, commit: head };
    const ref = head.slice(5);
    const loose = path.join(ROOT, '.git', ref);
    if (fs.existsSync(loose)) return { version, commit: fs.readFileSync(loose, 'utf8').trim() };
    const packed = fs.readFileSync(path.join(ROOT, '.git', 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return { version, commit: packed?.split(' ')[0] ?? null };
  } catch {
    // a worktree (.git is a file) or no git at all: the version is enough
    return { version, commit: null };
  }
}

export async function environmentSummary(ctx: ApiContext) {
  const { config } = ctx;
  const [temporal, postgres, pools] = await Promise.all([
    settle(async () => {
      const info = await ctx.temporal.workflowService.getSystemInfo({});
      return { serverVersion: info.serverVersion ?? null, address: config.temporal.address ?? null, namespace: config.temporal.namespace, embedded: config.demoBackends.includes('temporal') };
    }),
    settle(async () => ({ version: String((await ctx.database.sql`SELECT version()`)[0]!.version), embedded: config.demoBackends.includes('postgres') })),
    Promise.all(Object.entries(config.gpuPools).map(async ([name, url]) => ({
      name, url: withoutCredentials(url), demo: config.demoBackends.includes(`comfyui:${name}`),
      systemStats: await settle(() => poolClient(ctx, name).systemStats()),
    }))),
  ]);
  return {
    atelier: atelierVersion(),
    node: { version: process.version, platform: process.platform, arch: process.arch, os: `${os.type()} ${os.release()}` },
    temporal, postgres, pools,
    config: {
      defaultPool: config.defaultPool ?? null, comfyInflight: config.comfyInflight, templatesDir: config.templatesDir ?? null,
      llm: config.llm.baseUrl ? { baseUrl: withoutCredentials(config.llm.baseUrl), model: config.llm.model, visionModel: config.llm.visionModel } : null,
      demoBackends: config.demoBackends,
    },
  };
}
