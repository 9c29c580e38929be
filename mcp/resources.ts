// Jobs as MCP resources: atelier://jobs/<id> is a job's record and its workflow's live state (JSON).
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './tools/context.ts';
import { getJob } from './tools/context.ts';

export function registerJobResources(server: McpServer, ctx: ToolContext): void {
  server.registerResource('job', new ResourceTemplate('atelier://jobs/{id}', {
    list: async () => {
      const page = await ctx.api.get<{ jobs: { id: string; title: string; pipeline: string; status: string }[] }>('/api/jobs?limit=50');
      return { resources: page.jobs.map((j) => ({ uri: `atelier://jobs/${j.id}`, name: j.id, title: j.title, description: `${j.pipeline} job, ${j.status}`, mimeType: 'application/json' })) };
    },
  }), { title: 'Atelier job', description: 'A job\'s record and its workflow\'s live state (stage, steps, steps awaiting review, assets).', mimeType: 'application/json' }, async (uri, variables) => {
    const id = String(variables.id);
    const detail = await getJob(ctx.api, decodeURIComponent(id));
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(detail, null, 2) }] };
  });
}
