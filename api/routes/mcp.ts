// POST /mcp on the API: Atelier's MCP server over streamable HTTP, behind the same bearer token as the rest of the
// API. The tools call this API back over loopback with the API's token, so a tool's error is the API's own sentence.
import type { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { apiClient } from '../../cli/api-client.ts';
import { mcpHttpRouter } from '../../mcp/http-router.ts';

function loopbackUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export function mcpRoutes(ctx: ApiContext): Router {
  const api = apiClient({ url: loopbackUrl(ctx.config.api.host, ctx.config.api.port), token: ctx.token, dataDir: ctx.config.dataDir });
  return mcpHttpRouter({ api, publicUrl: ctx.config.api.publicUrl ?? `http://${ctx.config.api.host}:${ctx.config.api.port}` });
}
