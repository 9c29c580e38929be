// POST /mcp: Atelier's MCP server over streamable HTTP, behind the same bearer token as the rest of the API.
// Stateless: each request gets its own server and transport; the tools call this API back over loopback with the
// API's token, so a tool's error is the API's own sentence.
import { Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ApiContext } from '../context.ts';
import { apiClient } from '../../cli/api-client.ts';
import { createMcpServer } from '../../mcp/server.ts';

function loopbackUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export function mcpRoutes(ctx: ApiContext): Router {
  const router = Router();
  const api = apiClient({ url: loopbackUrl(ctx.config.api.host, ctx.config.api.port), token: ctx.token, dataDir: ctx.config.dataDir });
  const publicUrl = ctx.config.api.publicUrl ?? `http://${ctx.config.api.host}:${ctx.config.api.port}`;

  router.post('/mcp', async (req, res) => {
    const server = createMcpServer({ api, publicUrl });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // no server-initiated stream and no sessions in stateless mode
  const notAllowed = (_req: unknown, res: import('express').Response) => void res.status(405).set('allow', 'POST').json({ jsonrpc: '2.0', error: { code: -32000, message: 'use POST /api/mcp (streamable HTTP, stateless)' }, id: null });
  router.get('/mcp', notAllowed);
  router.delete('/mcp', notAllowed);
  return router;
}
