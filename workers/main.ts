// The main worker: every workflow and the CPU activities, on task queue `atelier`.
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal, connectTemporalClient, ensureSearchAttributes } from '../core/temporal.ts';
import { jobActivities } from '../activities/jobs.ts';
import { spritesActivities } from '../activities/sprites.ts';
import { imagingActivities } from '../activities/imaging.ts';
import { bevyActivities } from '../activities/bevy.ts';
import { assetRepository } from '../db/assets.ts';
import { spriteRepository } from '../db/sprites.ts';
import { jobEvents } from '../activities/events.ts';
import { jobRepository } from '../db/jobs.ts';
import { eventLog } from '../db/events.ts';
import { MAIN_TASK_QUEUE } from '../workflows/messages.ts';

async function run() {
  const { config, logger, database, store } = await openServices('worker-main');
  installTemporalLogging(logger);
  const client = await connectTemporalClient(config);
  await ensureSearchAttributes(client, config.temporal.namespace, logger);
  const emit = jobEvents(eventLog(database.sql), logger);
  const jobs = jobRepository(database.db);
  const assets = assetRepository(database.db);
  const sprites = spriteRepository(database.db);
  const pools = { gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool, templatesDir: config.templatesDir, comfyInflight: config.comfyInflight };
  const worker = await Worker.create({
    connection: await connectWorkerTemporal(config),
    namespace: config.temporal.namespace,
    taskQueue: MAIN_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: {
      ...jobActivities({ jobs, emit, ...pools }),
      ...spritesActivities({ jobs, emit, assets, sprites, bevyRoots: config.bevyRoots, ...pools }),
      ...imagingActivities({ store, assets, emit }),
      ...bevyActivities({ store, sprites, emit, bevyRoots: config.bevyRoots }),
    },
  });
  logger.info({ taskQueue: MAIN_TASK_QUEUE }, 'main worker polling');
  await worker.run();
  await Promise.allSettled([client.connection.close(), worker.options.connection?.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'main worker'));
