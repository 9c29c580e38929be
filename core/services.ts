// What every Atelier process opens at start: config, logger, database (migrated), the artifact store.
import { loadConfigOrExit, type AtelierConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { connectDatabase, migrate, type Database } from '../db/client.ts';
import { createStore } from './store.ts';
import type { Logger } from 'pino';
import { exitWithLauncher } from './lifecycle.ts';
import { awaitStoreMarker, StoreMarkerError } from './store-marker.ts';

export interface Services { config: AtelierConfig; logger: Logger; database: Database; store: ReturnType<typeof createStore> }

export interface ServiceOptions {
  /** the host a process of a per-host service runs on: its own log file, and `host` on every line */
  host?: string;
  /** the artifact store's marker: `claim` marks an unmarked store (API, main worker), `check` waits for one (GPU workers) */
  store?: 'claim' | 'check';
}

export async function openServices(service: string | ((config: AtelierConfig) => string), options: ServiceOptions = {}): Promise<Services> {
  const config = loadConfigOrExit();
  exitWithLauncher();
  const name = typeof service === 'string' ? service : service(config);
  const logger = createLogger({ service: name, host: options.host, dataDir: config.logFiles ? config.dataDir : undefined, level: config.logLevel });
  if (!config.databaseUrl) {
    logger.fatal('DATABASE_URL is not set: start Atelier with `npm start` (it starts an embedded PostgreSQL) or set DATABASE_URL=postgres://user:pass@host:5432/atelier');
    process.exit(2);
  }
  const database = connectDatabase(config.databaseUrl);
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate(database.sql);
      if (applied.length) logger.info({ applied }, 'database migrated');
      break;
    } catch (error) {
      if (attempt >= 30) throw error;
      logger.warn({ err: (error as Error).message, attempt }, 'database not ready; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  if (options.store) {
    try {
      const marker = await awaitStoreMarker(database.sql, config.dataDir, { claim: options.store === 'claim', waitMs: 120_000 });
      if (marker.created) logger.info({ marker: marker.id, wrote: marker.created }, 'artifact store marked: every process that writes it must see this marker in its DATA_DIR');
    } catch (error) {
      if (!(error instanceof StoreMarkerError)) throw error;
      logger.fatal({ dataDir: config.dataDir }, error.message);
      await database.close().catch(() => {});
      process.exit(2);
    }
  }
  return { config, logger, database, store: createStore(config.dataDir) };
}

export function exitOnFatal(logger: Pick<Logger, 'fatal'> | undefined, what: string) {
  return (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (logger) logger.fatal({ err: message }, `${what} stopped`);
    else process.stderr.write(`${what} stopped: ${message}\n`);
    process.exit(1);
  };
}
