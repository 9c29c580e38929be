// `npm run mcp`: Atelier's MCP server on stdin/stdout, for a client that starts it (Claude Desktop and the like).
// It talks to a running Atelier's HTTP API: ATELIER_URL and ATELIER_TOKEN (or DATA_DIR/api-token), as the CLI does.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { apiClient, apiTarget } from '../cli/api-client.ts';
import { createMcpServer } from './server.ts';

async function run() {
  const target = apiTarget();
  const server = createMcpServer({ api: apiClient(target), publicUrl: process.env.ATELIER_PUBLIC_URL ?? target.url });
  await server.connect(new StdioServerTransport());
  // stdout carries the protocol: anything for people goes to stderr
  process.stderr.write(`atelier MCP server on stdio, API ${target.url}\n`);
}

run().catch((error) => {
  process.stderr.write(`atelier MCP server stopped: ${(error as Error).message}\n`);
  process.exit(1);
});
