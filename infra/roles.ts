// Atelier's process roles: the one list that the launcher (`npm start`) starts processes from, that the container
// image's entrypoint picks a role from (`infra/run-role.ts`), and that the Helm chart's tests check for a workload
// per role. A role added here without a workload in infra/helm/atelier fails test/integration/helm-chart.test.ts.
export type RoleName = 'api' | 'worker-main' | 'worker-gpu' | 'mcp' | 'migrate';

export interface ProcessRole {
  name: RoleName;
  /** the program, relative to the project root */
  entry: string;
  /** what follows the role's name on its command line */
  usage: string;
  /** `service`: runs until stopped (Deployment, DaemonSet); `job`: runs to completion (a Job) */
  lifetime: 'service' | 'job';
  /** the HTTP port it serves, the variable that sets it, and where a probe asks whether it is alive */
  serves?: { portVariable: string; defaultPort: number; probePath?: string };
  /** what `npm start` does with it: one process, one per GPU pool, or none (and why not) */
  launcher: 'once' | 'per-pool' | { skip: string };
  /** the log message that says it is ready */
  ready?: string;
  /** V8 options its Node.js runs with: the launcher passes them, the Helm chart sets them as NODE_OPTIONS */
  nodeOptions?: string[];
  /** the launcher runs it at a lower CPU priority (ATELIER_BACKGROUND_NICE): work nobody waits on from second to second */
  background?: boolean;
  description: string;
}

export const ROLES: readonly ProcessRole[] = [
  {
    name: 'api', entry: 'api/server.ts', usage: '', lifetime: 'service',
    serves: { portVariable: 'ATELIER_API_PORT', defaultPort: 8420, probePath: '/api/health' },
    launcher: 'once', ready: 'API listening',
    // a smaller young generation: a burst of requests and event fan-out to hundreds of streams would otherwise grow
    // it to V8's 16 MB semi-spaces, about 45 MB of RSS that stays. bench:events, 4 runs each, alternated: 4 MB keeps
    // the growth over a burst near +6 % (16 MB: +10 to +22 %) with the same event latency; 2 MB scavenged so often
    // that the latency's p99 rose by a third. (How far its old generation grows is set by api/server.ts itself:
    // NODE_OPTIONS cannot carry that flag.)
    nodeOptions: ['--max-semi-space-size=4'],
    description: 'the HTTP API and the web UI: checks input, starts workflows, streams events; runs no AI work',
  },
  {
    name: 'worker-main', entry: 'workers/main.ts', usage: '', lifetime: 'service',
    launcher: 'once', ready: 'main worker polling', background: true,
    description: 'every workflow and the CPU activities, on task queue `atelier`',
  },
  {
    name: 'worker-gpu', entry: 'workers/gpu.ts', usage: '--pool P [--host H] [--comfy-url URL]', lifetime: 'service',
    launcher: 'per-pool', ready: 'GPU worker polling', background: true,
    description: 'one per GPU host: its pool\'s ComfyUI work on `atelier-gpu-P` and its host queue `atelier-gpu-P-H`',
  },
  {
    // the MCP server over streamable HTTP as a process of its own: POST /api/mcp on ATELIER_MCP_PORT behind the API's
    // token, its tools calling the API at ATELIER_URL (npm start serves the same endpoint on the API itself)
    name: 'mcp', entry: 'mcp/http.ts', usage: '', lifetime: 'service',
    serves: { portVariable: 'ATELIER_MCP_PORT', defaultPort: 8421 },
    launcher: { skip: 'npm start serves MCP on the API (POST /api/mcp) and over stdio (npm run mcp)' },
    description: 'the MCP server over streamable HTTP, with the API\'s bearer token',
  },
  {
    name: 'migrate', entry: 'db/migrate.ts', usage: '', lifetime: 'job',
    launcher: { skip: 'every process applies the migrations at start, and the launcher\'s dev server gets the search attributes' },
    description: 'database migrations, then the Temporal search attributes through the operator service; idempotent, then exits',
  },
];

export function findRole(name: string): ProcessRole | undefined {
  return ROLES.find((role) => role.name === name);
}

export function roleUsage(): string {
  return ROLES.map((role) => `  ${`${role.name} ${role.usage}`.trim().padEnd(32)} ${role.description}`).join('\n');
}
