// What every Atelier process opens at start: config, logger, database (migrated), the artifact store.
import { loadConfigOrExit, type AtelierConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { connectDatabase, migrate, type Database } from '../db/client.ts';
import { createStore } from './store.ts';
import type { Logger } from 'pino';
import { exitWithLauncher } from './lifecycle.ts';

export interface Services { config: AtelierConfig; logger: Logger; database: Database; store: ReturnType<typeof createStore> }

export async function openServices(service: string): Promise<Services> {
  const config = loadConfigOrExit();
  exitWithLauncher();
  const logger = createLogger({ service, dataDir: config.logFiles ? config.dataDir : undefined, level: config.logLevel });
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
