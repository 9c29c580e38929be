// The API process: checks input, stores uploads, starts workflows, sends signals, reads state, streams events.
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { openServices, exitOnFatal } from '../core/services.ts';
import { temporalAddress } from '../core/temporal.ts';
import { createApiContext } from './context.ts';
import { createApp } from './app.ts';
import { resolveApiToken, tokenFile } from './auth.ts';

// A full collection once the old generation has grown by 20 % of what is live, not by V8's up to 100 %: after a
// burst of 100 jobs the API (~60 MB live) was collected only once its heap had grown by 30–40 MB, and that RSS stayed.
// bench:events, alternated, 8 runs each: the RSS growth over the burst −5.3 to +6.0 % (without: −4.3 to +18.5 %), the
// event latency the same within the machine's noise. Set here because NODE_OPTIONS cannot carry this flag: the same under npm start and in the image.
v8.setFlagsFromString('--heap-growing-percent=20');

async function run() {
  const { config, logger, database, store } = await openServices('api', { store: 'claim' });
  const { token, created } = resolveApiToken(config.dataDir, config.api.token);
  // lazy: the API starts (and /health answers) even while Temporal is still coming up or restarting
  const connection = Connection.lazy({ address: temporalAddress(config), tls: config.temporal.tls || undefined });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const ctx = await createApiContext({ config, logger, database, store, temporal, token });
  const server = createApp(ctx).listen(config.api.port, config.api.host);
  await new Promise<void>((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
  const url = config.api.publicUrl ?? `http://${config.api.host}:${config.api.port}`;
  logger.info({ url, tokenFile: config.api.token ? undefined : tokenFile(config.dataDir), tokenCreated: created }, 'API listening');

  const stop = async () => {
    logger.info('API stopping');
    server.close();
    server.closeAllConnections();
    await ctx.hub.close().catch(() => {});
    ctx.templates.close();
    await connection.close().catch(() => {});
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

run().catch(exitOnFatal(undefined, 'API'));
