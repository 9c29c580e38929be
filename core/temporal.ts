// Connections to Temporal for workers (native) and for the API/CLI (client), and the SDK's logs through pino.
import { Connection, Client } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { AtelierConfig } from './config.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.ts';

export function temporalAddress(config: AtelierConfig): string {
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS is not set: start Atelier with `npm start`, which starts a Temporal dev server, or set TEMPORAL_ADDRESS=host:7233');
  return config.temporal.address;
}

export function installTemporalLogging(logger: Logger): void {
  const level = (logger.level === 'trace' ? 'TRACE' : logger.level === 'debug' ? 'DEBUG' : 'INFO') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'DEBUG' || entry.level === 'TRACE' ? 'debug' : 'info';
      logger[method]({ sdk: true, ...entry.meta }, entry.message);
    }),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}

export function connectWorkerTemporal(config: AtelierConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress(config), tls: config.temporal.tls || undefined });
}

export async function connectTemporalClient(config: AtelierConfig): Promise<Client> {
  const connection = await Connection.connect({ address: temporalAddress(config), tls: config.temporal.tls || undefined, connectTimeout: '10s' });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Registers Atelier's search attributes on a cluster that lacks them (the dev server gets them at start).
 *  Returns what it added and what is still missing (when the cluster refused: the operator must add them). */
export async function ensureSearchAttributes(client: Client, namespace: string, logger: Logger): Promise<{ added: string[]; missing: string[] }> {
  const operator = client.connection.operatorService;
  const existing = await operator.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((name) => !(name in (existing.customAttributes ?? {})));
  if (!missing.length) return { added: [], missing: [] };
  try {
    // 2 = INDEXED_VALUE_TYPE_KEYWORD
    await operator.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, 2])) });
    logger.info({ added: missing }, 'registered search attributes');
    return { added: [...missing], missing: [] };
  } catch (error) {
    logger.warn({ err: (error as Error).message, missing }, 'could not register search attributes: ask the cluster operator to add them (Keyword)');
    return { added: [], missing: [...missing] };
  }
}
