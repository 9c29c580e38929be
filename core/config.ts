// The one place the environment is read. Unset means the embedded stack; a bad value stops start-up
// with a message naming the variable and what it expects.
import { z } from 'zod';
import path from 'node:path';

const port = (name: string) =>
  z.coerce.number({ error: `${name} must be a port number (1-65535)` }).int().min(1, `${name} must be a port number (1-65535)`).max(65535, `${name} must be a port number (1-65535)`);

const url = (name: string, protocols: string[]) =>
  z.string().refine((v) => {
    try { return protocols.includes(new URL(v).protocol); } catch { return false; }
  }, `${name} must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

/** `name=url` pairs separated by commas: `dgx=http://dgx:8188,k3s=http://comfy.gpu:8188` */
const gpuPools = z.string().transform((value, ctx) => {
  const pools: Record<string, string> = {};
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name, ...rest] = entry.split('=');
    const target = rest.join('=');
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name ?? '') || !/^https?:\/\//.test(target)) {
      ctx.addIssue({ code: 'custom', message: `ATELIER_GPU_POOLS entries must look like pool=http://host:8188 (pool: lowercase letters, digits, dashes); got "${entry}"` });
      return z.NEVER;
    }
    pools[name!] = target.replace(/\/+$/, '');
  }
  return pools;
});

const schema = z.object({
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']).optional(),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:/]+:\d+$/, 'TEMPORAL_ADDRESS must be host:port, e.g. temporal.example:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS: z.enum(['true', 'false'], { error: 'TEMPORAL_TLS must be true or false' }).default('false'),
  TEMPORAL_UI_URL: z.union([z.literal('none'), url('TEMPORAL_UI_URL', ['http:', 'https:'])], { error: 'TEMPORAL_UI_URL must be an http(s) URL, or none' }).optional(),
  TEMPORAL_UI_PORT: port('TEMPORAL_UI_PORT').default(8233),
  TEMPORAL_CLI: z.string().optional(),
  OPENAI_BASE_URL: url('OPENAI_BASE_URL', ['http:', 'https:']).optional(),
  OPENAI_API_KEY: z.string().optional(),
  ATELIER_LLM_MODEL: z.string().min(1).default('llama3.1'),
  ATELIER_VISION_MODEL: z.string().min(1).default('llava'),
  ATELIER_IMAGE_EDIT_MODEL: z.string().min(1).default('gpt-image-1'),
  ATELIER_CHAPTER_FANOUT: z.coerce.number({ error: 'ATELIER_CHAPTER_FANOUT must be a whole number from 1 to 32' }).int().min(1, 'ATELIER_CHAPTER_FANOUT must be at least 1').max(32, 'ATELIER_CHAPTER_FANOUT must be at most 32').default(4),
  ATELIER_DEMO_LLM_MS: z.coerce.number({ error: 'ATELIER_DEMO_LLM_MS must be a number of milliseconds' }).int().min(0).max(60000).default(300),
  ATELIER_GPU_POOLS: gpuPools.optional(),
  ATELIER_DEFAULT_POOL: z.string().optional(),
  ATELIER_COMFY_INFLIGHT: z.coerce.number({ error: 'ATELIER_COMFY_INFLIGHT must be a whole number from 1 to 16' }).int().min(1, 'ATELIER_COMFY_INFLIGHT must be at least 1').max(16, 'ATELIER_COMFY_INFLIGHT must be at most 16').default(2),
  ATELIER_HOST_BEAT_MS: z.coerce.number({ error: 'ATELIER_HOST_BEAT_MS must be a number of milliseconds' }).int().min(100, 'ATELIER_HOST_BEAT_MS must be at least 100').max(60_000, 'ATELIER_HOST_BEAT_MS must be at most 60000').default(2000),
  ATELIER_HOST_LOST_MS: z.coerce.number({ error: 'ATELIER_HOST_LOST_MS must be a number of milliseconds' }).int().min(300, 'ATELIER_HOST_LOST_MS must be at least 300').max(600_000, 'ATELIER_HOST_LOST_MS must be at most 600000').default(8000),
  ATELIER_TRAINER_COMMAND: z.string().optional(),
  ATELIER_TRAINER_BACKEND: z.enum(['ai-toolkit', 'kohya'], { error: 'ATELIER_TRAINER_BACKEND must be ai-toolkit or kohya' }).default('ai-toolkit'),
  ATELIER_TRAINER_BASE_MODEL: z.string().min(1).optional(),
  ATELIER_TRAINER_ARCH: z.enum(['sdxl', 'flux', 'flux-schnell', 'sd15', 'demo'], { error: 'ATELIER_TRAINER_ARCH must be one of sdxl, flux, flux-schnell, sd15, demo' }).optional(),
  ATELIER_TRAINER_GRACE_MS: z.coerce.number({ error: 'ATELIER_TRAINER_GRACE_MS must be a number of milliseconds' }).int().min(100, 'ATELIER_TRAINER_GRACE_MS must be at least 100').max(600_000, 'ATELIER_TRAINER_GRACE_MS must be at most 600000').default(30_000),
  ATELIER_GPU_WORK_DIR: z.string().min(1).optional(),
  ATELIER_COMFY_LORAS_DIR: z.string().min(1).optional(),
  ATELIER_TEMPLATES_DIR: z.string().optional(),
  ATELIER_BEVY_ROOTS: z.string().transform((value, ctx) => {
    const roots = value.split(',').map((r) => r.trim()).filter(Boolean);
    const relative = roots.find((r) => !path.isAbsolute(r));
    if (relative) {
      ctx.addIssue({ code: 'custom', message: `ATELIER_BEVY_ROOTS lists absolute folders separated by commas; "${relative}" is not absolute` });
      return z.NEVER;
    }
    return roots.map((r) => path.resolve(r));
  }).optional(),
  ATELIER_UPLOAD_MAX_BYTES: z.coerce.number({ error: 'ATELIER_UPLOAD_MAX_BYTES must be a number of bytes' }).int().min(1024, 'ATELIER_UPLOAD_MAX_BYTES must be at least 1024').default(50 * 1024 * 1024),
  ATELIER_UPLOAD_MAX_PIXELS: z.coerce.number({ error: 'ATELIER_UPLOAD_MAX_PIXELS must be a number of pixels' }).int().min(4096, 'ATELIER_UPLOAD_MAX_PIXELS must be at least 4096').default(50_000_000),
  ATELIER_API_HOST: z.string().min(1).default('127.0.0.1'),
  ATELIER_API_PORT: port('ATELIER_API_PORT').default(8420),
  ATELIER_MCP_PORT: port('ATELIER_MCP_PORT').default(8421),
  ATELIER_API_TOKEN: z.string().min(16, 'ATELIER_API_TOKEN must be at least 16 characters').optional(),
  ATELIER_PUBLIC_URL: url('ATELIER_PUBLIC_URL', ['http:', 'https:']).optional(),
  ATELIER_DEMO_STEP_MS: z.coerce.number({ error: 'ATELIER_DEMO_STEP_MS must be a number of milliseconds' }).int().min(0).max(60000).default(120),
  ATELIER_BACKGROUND_NICE: z.coerce.number({ error: 'ATELIER_BACKGROUND_NICE must be a whole number from 0 to 19' }).int('ATELIER_BACKGROUND_NICE must be a whole number from 0 to 19').min(0, 'ATELIER_BACKGROUND_NICE must be a whole number from 0 to 19').max(19, 'ATELIER_BACKGROUND_NICE must be a whole number from 0 to 19').default(10),
  ATELIER_LOG_FILES: z.enum(['true', 'false'], { error: 'ATELIER_LOG_FILES must be true or false' }).default('true'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], { error: 'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent' }).default('info'),
});

export type RawConfig = z.infer<typeof schema>;

export interface AtelierConfig {
  dataDir: string;
  databaseUrl?: string;
  /** uiUrl: Temporal Web, or null where there is none (TEMPORAL_UI_URL=none) */
  temporal: { address?: string; namespace: string; tls: boolean; uiUrl: string | null; uiPort: number; cli?: string };
  /** imageModel: the OpenAI-compatible images.edit model (an image-edit backend of the scene pipeline) */
  llm: { baseUrl?: string; apiKey?: string; model: string; visionModel: string; imageModel: string };
  /** pool name → ComfyUI base URL; empty when nothing is configured (the launcher adds the demo pool) */
  gpuPools: Record<string, string>;
  defaultPool?: string;
  comfyInflight: number;
  /** GPU hosts: how often a GPU worker refreshes its registration, and how old a registration is when its host counts as lost */
  gpuHosts: { beatMs: number; lostMs: number };
  /** chapters a campaign writes at once (LLM requests in flight) */
  chapterFanout: number;
  trainerCommand?: string;
  /** the LoRA trainer: unset command = the demo trainer (AI-Toolkit's command line on a tiny CPU model) */
  trainer: { command?: string; backend: 'ai-toolkit' | 'kohya'; baseModel?: string; arch?: string; graceMs: number };
  /** a GPU host's own folder for training runs (default DATA_DIR/gpu/<pool>-<host>) */
  gpuWorkDir?: string;
  /** the models/loras folder of this GPU host's ComfyUI (the launcher sets it for the demo ComfyUI) */
  comfyLorasDir?: string;
  templatesDir?: string;
  /** folders whose Bevy projects sprites may be deployed into (anything outside them is refused) */
  bevyRoots: string[];
  api: { host: string; port: number; token?: string; publicUrl?: string };
  /** the port of the `mcp` role's own process (mcp/http.ts); npm start serves MCP on the API instead */
  mcpPort: number;
  uploads: { maxBytes: number; maxPixels: number };
  demoStepMs: number;
  /** the demo LLM's time per reply */
  demoLlmMs: number;
  logLevel: RawConfig['LOG_LEVEL'];
  /** also write each service's log under DATA_DIR/logs (off in a cluster, where stdout is collected) */
  logFiles: boolean;
  /** the CPU nice npm start gives the batch side (Temporal dev server, workers, stand-ins); 0: the API's own */
  backgroundNice: number;
  /** backends that are stand-ins launched by `npm start` (set by the launcher for its children) */
  demoBackends: string[];
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AtelierConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '');
      return issue.message.includes(variable) ? `- ${issue.message}` : `- ${variable}: ${issue.message}`;
    });
    throw new ConfigError(`Atelier cannot start: the environment has bad values.\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const gpuPools = c.ATELIER_GPU_POOLS ?? {};
  if (c.ATELIER_DEFAULT_POOL && Object.keys(gpuPools).length && !gpuPools[c.ATELIER_DEFAULT_POOL]) {
    throw new ConfigError(`Atelier cannot start: ATELIER_DEFAULT_POOL is "${c.ATELIER_DEFAULT_POOL}" but ATELIER_GPU_POOLS only has ${Object.keys(gpuPools).join(', ')}.`);
  }
  return {
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    temporal: {
      address: c.TEMPORAL_ADDRESS,
      namespace: c.TEMPORAL_NAMESPACE,
      tls: c.TEMPORAL_TLS === 'true',
      uiUrl: c.TEMPORAL_UI_URL === 'none' ? null : c.TEMPORAL_UI_URL ?? `http://127.0.0.1:${c.TEMPORAL_UI_PORT}`,
      uiPort: c.TEMPORAL_UI_PORT,
      cli: c.TEMPORAL_CLI,
    },
    llm: { baseUrl: c.OPENAI_BASE_URL?.replace(/\/+$/, ''), apiKey: c.OPENAI_API_KEY, model: c.ATELIER_LLM_MODEL, visionModel: c.ATELIER_VISION_MODEL, imageModel: c.ATELIER_IMAGE_EDIT_MODEL },
    gpuPools,
    defaultPool: c.ATELIER_DEFAULT_POOL ?? Object.keys(gpuPools)[0],
    comfyInflight: c.ATELIER_COMFY_INFLIGHT,
    gpuHosts: { beatMs: c.ATELIER_HOST_BEAT_MS, lostMs: Math.max(c.ATELIER_HOST_LOST_MS, 2 * c.ATELIER_HOST_BEAT_MS) },
    chapterFanout: c.ATELIER_CHAPTER_FANOUT,
    trainerCommand: c.ATELIER_TRAINER_COMMAND,
    trainer: { command: c.ATELIER_TRAINER_COMMAND, backend: c.ATELIER_TRAINER_BACKEND, baseModel: c.ATELIER_TRAINER_BASE_MODEL, arch: c.ATELIER_TRAINER_ARCH, graceMs: c.ATELIER_TRAINER_GRACE_MS },
    gpuWorkDir: c.ATELIER_GPU_WORK_DIR ? path.resolve(c.ATELIER_GPU_WORK_DIR) : undefined,
    comfyLorasDir: c.ATELIER_COMFY_LORAS_DIR ? path.resolve(c.ATELIER_COMFY_LORAS_DIR) : undefined,
    templatesDir: c.ATELIER_TEMPLATES_DIR ? path.resolve(c.ATELIER_TEMPLATES_DIR) : undefined,
    bevyRoots: c.ATELIER_BEVY_ROOTS ?? [],
    api: { host: c.ATELIER_API_HOST, port: c.ATELIER_API_PORT, token: c.ATELIER_API_TOKEN, publicUrl: c.ATELIER_PUBLIC_URL },
    mcpPort: c.ATELIER_MCP_PORT,
    uploads: { maxBytes: c.ATELIER_UPLOAD_MAX_BYTES, maxPixels: c.ATELIER_UPLOAD_MAX_PIXELS },
    demoStepMs: c.ATELIER_DEMO_STEP_MS,
    demoLlmMs: c.ATELIER_DEMO_LLM_MS,
    logLevel: c.LOG_LEVEL,
    logFiles: c.ATELIER_LOG_FILES === 'true',
    backgroundNice: c.ATELIER_BACKGROUND_NICE,
    demoBackends: (env.ATELIER_DEMO_BACKENDS ?? '').split(',').filter(Boolean),
  };
}

/** For entry points: load or print the message and exit (no stack trace for a person's mistake). */
export function loadConfigOrExit(): AtelierConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(2);
    }
    throw error;
  }
}
