// tsx infra/local/comfy-standin/main.ts --port N --data-dir DIR [--step-ms M] [--node-ms M] [--host H] [--quiet]
//   [--without-node-pack ComfyUI-Impact-Pack …]
import { parseArgs } from 'node:util';
import { announceStandin } from '../standin.ts';
import { startComfyStandin } from './server.ts';
import { exitWithLauncher } from '../../../core/lifecycle.ts';

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8188' },
    'data-dir': { type: 'string' },
    'step-ms': { type: 'string' },
    'node-ms': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    quiet: { type: 'boolean', default: false },
    'without-node-pack': { type: 'string', multiple: true, default: [] },
  },
});

if (!values['data-dir']) {
  process.stderr.write('usage: main.ts --port N --data-dir DIR [--step-ms M] [--node-ms M] [--host H] [--quiet]\n');
  process.exit(2);
}

const standin = await startComfyStandin({
  port: number(values.port, 'port'),
  host: values.host,
  dataDir: values['data-dir'],
  stepMs: number(values['step-ms'], 'step-ms'),
  nodeMs: number(values['node-ms'], 'node-ms'),
  quiet: values.quiet,
  withoutNodePacks: values['without-node-pack'],
}).catch((error: Error) => {
  process.stderr.write(`comfy stand-in: ${error.message}\n`);
  process.exit(2);
});
announceStandin(standin);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  standin.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
exitWithLauncher(shutdown);
