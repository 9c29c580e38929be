// A whole Atelier stack for a test file: a fresh database in the local PostgreSQL (127.0.0.1:5432, or
// ATELIER_TEST_DATABASE_URL), a temp DATA_DIR, a Temporal dev server, the ComfyUI stand-in, workers, API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import postgres from 'postgres';
import { startStack, type Stack } from '../../infra/local/stack.ts';
import { freePort } from '../../infra/local/ports.ts';

export const TEST_ADMIN_URL = process.env.ATELIER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStack extends Stack {
  api<T = any>(route: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: T; headers: Headers }>;
  sql: postgres.Sql;
  logs: string[];
}

/** A fresh database per test file, so files never see each other's jobs. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `atelier_t_${crypto.randomBytes(5).toString('hex')}`;
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await again.end();
    },
  };
}

export async function startTestStack(options: { env?: Record<string, string>; comfyStepMs?: number; gpuHosts?: number; llmReplyMs?: number; embeddedDatabase?: boolean; dataDir?: string; keepData?: boolean; temporalWeb?: boolean } = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-test-'));
  const database = options.embeddedDatabase ? undefined : await createTestDatabase();
  const logs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    ATELIER_API_PORT: String(await freePort()),
    LOG_LEVEL: 'debug',
    ...(database ? { DATABASE_URL: database.url } : { DATABASE_URL: '' }),
    TEMPORAL_ADDRESS: '', ATELIER_GPU_POOLS: '', ATELIER_API_TOKEN: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '',
    ...options.env,
  };
  let stack: Stack;
  try {
    stack = await startStack({ env, temporalWeb: options.temporalWeb ?? false, standardPorts: false, comfyStepMs: options.comfyStepMs ?? 40, gpuHosts: options.gpuHosts, llmReplyMs: options.llmReplyMs ?? 0, onLine: (name, line) => logs.push(`${name} ${line}`), say: (m) => logs.push(`launcher ${m}`) });
  } catch (error) {
    await database?.drop();
    throw new Error(`${(error as Error).message}\n--- last log lines ---\n${logs.slice(-40).join('\n')}`);
  }
  const sql = postgres(stack.databaseUrl, { max: 2, onnotice: () => {} });
  const stop = stack.stop.bind(stack);
  return Object.assign(stack, {
    logs,
    sql,
    async api(route: string, init: RequestInit & { json?: unknown } = {}) {
      const { json, ...rest } = init;
      const response = await fetch(stack.apiUrl + route, {
        ...rest,
        headers: { authorization: `Bearer ${stack.token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
      const text = await response.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* not JSON */ }
      return { status: response.status, body: body as any, headers: response.headers };
    },
    async stop() {
      await sql.end({ timeout: 2 }).catch(() => {});
      await stop(2000);
      await database?.drop();
      if (!process.env.ATELIER_KEEP_TEST_DATA && !options.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) { last = error; }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
