// A GPU worker: one per GPU host, serving its pool's queue and its own host queue (for work that needs a
// file on this host). It keeps `ATELIER_COMFY_INFLIGHT` prompts queued at its ComfyUI so the GPU never waits.
import { Worker } from '@temporalio/worker';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal } from '../core/temporal.ts';
import { comfyActivities } from '../activities/comfy.ts';
import { jobEvents } from '../activities/events.ts';
import { templateCatalogue } from '../core/templates/catalogue.ts';
import { assetRepository } from '../db/assets.ts';
import { eventLog } from '../db/events.ts';
import { gpuTaskQueue } from '../workflows/messages.ts';

async function run() {
  const { values } = parseArgs({ options: { pool: { type: 'string' }, host: { type: 'string' } } });
  const { config, logger, database, store } = await openServices(`worker-gpu-${values.pool ?? 'unknown'}`);
  const pool = values.pool ?? config.defaultPool;
  const comfyUrl = pool ? config.gpuPools[pool] : undefined;
  if (!pool || !comfyUrl) {
    logger.fatal(`--pool must name a GPU pool from ATELIER_GPU_POOLS (${Object.keys(config.gpuPools).join(', ') || 'none configured'})`);
    process.exit(2);
  }
  const host = (values.host ?? process.env.ATELIER_GPU_HOST ?? os.hostname()).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  installTemporalLogging(logger);
  const connection = await connectWorkerTemporal(config);
  const templates = templateCatalogue({ userDir: config.templatesDir });
  const activities = comfyActivities({ pool, comfyUrl, store, assets: assetRepository(database.db), emit: jobEvents(eventLog(database.sql), logger), logger, templates });
  const queues = [gpuTaskQueue(pool), gpuTaskQueue(pool, host)];
  const workers = await Promise.all(queues.map((taskQueue) => Worker.create({
    connection, namespace: config.temporal.namespace, taskQueue, activities,
    // one prompt running at ComfyUI plus `comfyInflight` waiting behind it
    maxConcurrentActivityTaskExecutions: config.comfyInflight + 1,
    // heartbeats carry cancellation back: without this the SDK sends one per 16 s and a cancel waits that long
    maxHeartbeatThrottleInterval: '1 second',
  })));
  const backend = config.demoBackends.includes(`comfyui:${pool}`) ? 'demo' : 'comfyui';
  logger.info({ pool, host, queues, comfyUrl, backend, inflight: config.comfyInflight }, 'GPU worker polling');
  await Promise.all(workers.map((w) => w.run()));
  templates.close();
  await Promise.allSettled([connection.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'GPU worker'));
