// Activities report to people through the job's event log (and to Temporal Web through heartbeats).
import type { Logger } from 'pino';
import type { EventLevel, EventLog } from '../db/events.ts';

export function jobEvents(log: EventLog, logger: Logger) {
  return async function emit(jobId: string, type: string, data: Record<string, unknown> = {}, options: { level?: EventLevel; dedupeKey?: string } = {}) {
    const level = options.level ?? 'info';
    const appended = await log.append({ jobId, type, data, level, dedupeKey: options.dedupeKey });
    logger[level]({ jobId, correlationId: appended?.correlationId ?? undefined, event: type, ...data }, type);
    return appended;
  };
}

export type EmitEvent = ReturnType<typeof jobEvents>;
