// POST /mcp: the MCP server over streamable HTTP, stateless (each request gets its own server and transport; GET
// and DELETE answer 405). Mounted on the API (api/routes/mcp.ts) and by the `mcp` role's own process (mcp/http.ts),
// both behind the API's bearer token.
import { Router, type Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from './server.ts';
import type { ToolContext } from './tools/context.ts';

export function mcpHttpRouter(ctx: ToolContext): Router {
  const router = Router();
  router.post('/mcp', async (req, res) => {
    const server = createMcpServer(ctx);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const notAllowed = (_req: unknown, res: Response) => void res.status(405).set('allow', 'POST').json({ jsonrpc: '2.0', error: { code: -32000, message: 'use POST /api/mcp (streamable HTTP, stateless)' }, id: null });
  router.get('/mcp', notAllowed);
  router.delete('/mcp', notAllowed);
  return router;
}
