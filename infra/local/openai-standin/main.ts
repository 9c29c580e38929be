// tsx infra/local/openai-standin/main.ts --port N --data-dir DIR [--models a,b] [--reply-ms M] [--host H]
import { parseArgs } from 'node:util';
import { announceStandin } from '../standin.ts';
import { startOpenAiStandin } from './server.ts';
import { exitWithLauncher } from '../../../core/lifecycle.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    models: { type: 'string' },
    'reply-ms': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const port = Number(values.port);
const replyMs = values['reply-ms'] === undefined ? undefined : Number(values['reply-ms']);
if (!values['data-dir'] || !Number.isInteger(port) || port < 0 || (replyMs !== undefined && !(replyMs >= 0))) {
  process.stderr.write('usage: main.ts --port N --data-dir DIR [--models a,b] [--reply-ms M] [--host H]\n');
  process.exit(2);
}

const standin = await startOpenAiStandin({
  port, host: values.host, dataDir: values['data-dir'], replyMs,
  models: values.models?.split(',').map((m) => m.trim()).filter(Boolean),
});
announceStandin(standin);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  standin.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
exitWithLauncher(shutdown);
