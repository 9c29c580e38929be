// The CLI's view of the HTTP API: where it is, which token, and errors a person can act on.
import fs from 'node:fs';
import path from 'node:path';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); }
}

export interface ApiTarget { url: string; token?: string; dataDir: string }

export function apiTarget(env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  const url = (env.ATELIER_URL || `http://${env.ATELIER_API_HOST || '127.0.0.1'}:${env.ATELIER_API_PORT || 8420}`).replace(/\/+$/, '');
  let token = env.ATELIER_TOKEN || env.ATELIER_API_TOKEN;
  if (!token) {
    try { token = fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim(); } catch { /* asked for when needed */ }
  }
  return { url, token, dataDir };
}

export function apiClient(target: ApiTarget) {
  async function request(route: string, init: RequestInit = {}): Promise<Response> {
    if (!target.token) throw new CliError(`no API token: set ATELIER_TOKEN (npm start prints it) or run from the folder whose .data/api-token holds it`);
    let response: Response;
    try {
      response = await fetch(target.url + route, { ...init, headers: { authorization: `Bearer ${target.token}`, ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers } });
    } catch {
      throw new CliError(`cannot reach the Atelier API at ${target.url}: is \`npm start\` running? (set ATELIER_URL to use another address)`);
    }
    if (response.status === 401) throw new CliError(`the API at ${target.url} refused the token: use the one npm start printed (ATELIER_TOKEN or .data/api-token)`);
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new CliError(body.error ? `${body.error}` : `the API answered ${response.status} to ${route}`);
    }
    return response;
  }
  return {
    target,
    request,
    get: async <T>(route: string) => (await request(route)).json() as Promise<T>,
    post: async <T>(route: string, body?: unknown) => (await request(route, { method: 'POST', body: JSON.stringify(body ?? {}) })).json() as Promise<T>,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
