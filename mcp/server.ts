// Atelier as an MCP server: every pipeline's tools (mcp/tools/) and jobs as resources, over the HTTP API.
// Served over stdio (`npm run mcp`, mcp/stdio.ts) and over streamable HTTP on the API (POST /api/mcp).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TOOL_MODULES } from './tools/index.ts';
import { registerJobResources } from './resources.ts';
import type { ToolContext } from './tools/context.ts';

export const MCP_INSTRUCTIONS = 'Atelier runs AI art pipelines as durable jobs. Start one with a generate_* tool, follow it with job_status '
  + '(wait "review" waits until it needs a person), decide steps awaiting review with review_step, and deploy kept sprites with deploy_sprites. '
  + 'Jobs are also resources: atelier://jobs/<id>.';

export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer({ name: 'atelier', title: 'Atelier', version: '0.1.0' }, { instructions: MCP_INSTRUCTIONS, capabilities: { logging: {} } });
  for (const register of TOOL_MODULES) register(server, ctx);
  registerJobResources(server, ctx);
  return server;
}
