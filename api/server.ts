// The API process: checks input, stores uploads, starts workflows, sends signals, reads state, streams events.
import { Client, Connection } from '@temporalio/client';
import { openServices, exitOnFatal } from '../core/services.ts';
import { temporalAddress } from '../core/temporal.ts';
import { createApiContext } from './context.ts';
import { createApp } from './app.ts';
import { resolveApiToken, tokenFile } from './auth.ts';

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
