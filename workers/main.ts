// The main worker: every workflow and the CPU activities, on task queue `atelier`.
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal, connectTemporalClient, ensureSearchAttributes } from '../core/temporal.ts';
import { jobActivities } from '../activities/jobs.ts';
import { jobEvents } from '../activities/events.ts';
import { templateCatalogue } from '../core/templates/catalogue.ts';
import { jobRepository } from '../db/jobs.ts';
import { eventLog } from '../db/events.ts';
import { MAIN_TASK_QUEUE } from '../workflows/messages.ts';

async function run() {
  const { config, logger, database } = await openServices('worker-main');
  installTemporalLogging(logger);
  const client = await connectTemporalClient(config);
  await ensureSearchAttributes(client, config.temporal.namespace, logger);
  const emit = jobEvents(eventLog(database.sql), logger);
  const templates = templateCatalogue({ userDir: config.templatesDir });
  const worker = await Worker.create({
    connection: await connectWorkerTemporal(config),
    namespace: config.temporal.namespace,
    taskQueue: MAIN_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: jobActivities({ jobs: jobRepository(database.db), emit, gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool, templates, comfyInflight: config.comfyInflight }),
  });
  logger.info({ taskQueue: MAIN_TASK_QUEUE }, 'main worker polling');
  await worker.run();
  templates.close();
  await Promise.allSettled([client.connection.close(), worker.options.connection?.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'main worker'));
