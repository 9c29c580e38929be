// What the API's routes share: config, logger, repositories, the store, the Temporal client, the event hub,
// the template catalogue.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AtelierConfig } from '../core/config.ts';
import type { Database } from '../db/client.ts';
import type { Store } from '../core/store.ts';
import { jobRepository } from '../db/jobs.ts';
import { eventLog } from '../db/events.ts';
import { assetRepository } from '../db/assets.ts';
import { spriteRepository } from '../db/sprites.ts';
import { eventHub, type EventHub } from './event-hub.ts';
import { templateCatalogue, type TemplateCatalogue } from '../core/templates/catalogue.ts';

export interface ApiContext {
  config: AtelierConfig;
  logger: Logger;
  database: Database;
  store: Store;
  temporal: Client;
  token: string;
  jobs: ReturnType<typeof jobRepository>;
  events: ReturnType<typeof eventLog>;
  assets: ReturnType<typeof assetRepository>;
  sprites: ReturnType<typeof spriteRepository>;
  hub: EventHub;
  templates: TemplateCatalogue;
}

export async function createApiContext(base: Pick<ApiContext, 'config' | 'logger' | 'database' | 'store' | 'temporal' | 'token'>): Promise<ApiContext> {
  const events = eventLog(base.database.sql);
  return {
    ...base, jobs: jobRepository(base.database.db), events, assets: assetRepository(base.database.db), sprites: spriteRepository(base.database.db), hub: await eventHub(events, (error) => base.logger.warn({ err: error.message }, 'the event hub could not read the event log')),
    templates: templateCatalogue({ userDir: base.config.templatesDir }),
  };
}
