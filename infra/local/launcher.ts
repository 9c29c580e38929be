// `npm start`: the whole of Atelier on one machine, on its embedded defaults unless configured.
import { ConfigError } from '../../core/config.ts';
import { startStack, type Stack } from './stack.ts';
import { ensureUiBuilt } from './ui-build.ts';

const LEVELS: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const verbose = process.env.ATELIER_VERBOSE === '1';
const time = () => new Date().toTimeString().slice(0, 8);

function printLine(name: string, line: string): void {
  if (verbose) return void process.stdout.write(`${name.padEnd(14)} ${line}\n`);
  if (name === 'postgres' || name === 'temporal' && !/level=(ERROR|FATAL)|panic/.test(line)) return;
  let entry: Record<string, unknown>;
  try { entry = JSON.parse(line); } catch { return void process.stdout.write(`${time()} ${name.padEnd(14)} ${line}\n`); }
  const level = Number(entry.level ?? 30);
  if (level < 30 || !entry.msg || entry.sdk && (level < 40 || String(entry.msg).startsWith('No workflows registered'))) return;
  const job = entry.jobId ? ` [${entry.jobId}]` : '';
  const detail = typeof entry.message === 'string' ? `: ${entry.message}` : typeof entry.err === 'string' ? `: ${entry.err}` : '';
  process.stdout.write(`${time()} ${name.padEnd(14)} ${level >= 40 ? LEVELS[level] + ' ' : ''}${entry.msg ?? ''}${detail}${job}\n`);
}

// a closed pipe (`npm start | tee log`, then Ctrl-C) must not crash the launcher before it stops its children
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let stack: Stack | undefined;
let failed = false;

/** Every way the launcher can fail ends here: one message saying what failed and what to do, no stack trace. */
async function fail(error: unknown): Promise<never> {
  if (!failed) {
    failed = true;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof ConfigError ? `\n${message}\n` : `\nAtelier could not ${stack ? 'keep running' : 'start'}: ${message}\n`);
    await stack?.stop().catch(() => {});
  }
  process.exit(1);
}

// an 'error' event nobody listens for, or a promise nobody awaits, must not end in a stack trace either
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));

async function main() {
  const say = (message: string) => process.stdout.write(`${time()} atelier        ${message}\n`);
  await ensureUiBuilt(say);
  stack = await startStack({ onLine: printLine, say });
  const bar = '─'.repeat(64);
  process.stdout.write([
    '', bar,
    `  Atelier is running`,
    `  Web UI and API   ${stack.apiUrl}`,
    `  API token        ${stack.token}`,
    `  Temporal Web     ${stack.temporalWebUrl ?? '(configured cluster)'}`,
    `  Temporal         ${stack.temporalAddress}`,
    `  GPU pools        ${Object.entries(stack.pools).map(([n, u]) => `${n} → ${u}`).join(', ')}${stack.childEnv.ATELIER_DEMO_BACKENDS?.includes('comfyui') ? ' (demo stand-in)' : ''}`,
    `  LLM              ${stack.llmUrl}${stack.childEnv.ATELIER_DEMO_BACKENDS?.includes('llm') ? ' (demo stand-in)' : ''}`,
    `  Data             ${stack.dataDir}`,
    '', `  Try: npx atelier generate "a lighthouse at dusk" --wait`,
    `  Ctrl-C stops everything; jobs resume at the next npm start.`,
    bar, '',
  ].join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await stack!.stop();
    say('stopped');
    process.exit(0);
  };
  // SIGHUP: the terminal went away (closed window, ended tmux session): stop as for Ctrl-C
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
}

main().catch(fail);
