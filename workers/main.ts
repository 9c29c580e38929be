// The main worker: every workflow and the CPU activities, on task queue `atelier`.
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal, connectTemporalClient, ensureSearchAttributes } from '../core/temporal.ts';
import { jobActivities } from '../activities/jobs.ts';
import { spritesActivities } from '../activities/sprites.ts';
import { bevyActivities } from '../activities/bevy.ts';
import { spriteRepository } from '../db/sprites.ts';
import { jobEvents } from '../activities/events.ts';
import { templateCatalogue } from '../core/templates/catalogue.ts';
import { campaignActivities } from '../activities/campaign.ts';
import { slotLeases } from '../db/llm-slots.ts';
import { jobRepository } from '../db/jobs.ts';
import { eventLog } from '../db/events.ts';
import { campaignRepository } from '../db/campaigns.ts';
import { MAIN_TASK_QUEUE } from '../workflows/messages.ts';
import { assetRepository } from '../db/assets.ts';
import { llmClient } from '../activities/llm.ts';
import { sceneActivities } from '../activities/scene.ts';
import { imageEditActivities } from '../activities/image-edit.ts';
import { imagingActivities } from '../activities/imaging.ts';
import { loraJobActivities } from '../activities/lora-jobs.ts';
import { datasetActivities } from '../activities/datasets.ts';
import { characterRepository } from '../db/characters.ts';
import { loraRepository } from '../db/loras.ts';
import { poolActivities } from '../activities/pools.ts';
import { gpuHostRegistry } from '../db/gpu-hosts.ts';
import { promptDispatches } from '../db/prompt-dispatches.ts';
import { jobClosures } from './job-closures.ts';

async function run() {
  const { config, logger, database, store } = await openServices('worker-main', { store: 'claim' });
  installTemporalLogging(logger);
  const client = await connectTemporalClient(config);
  await ensureSearchAttributes(client, config.temporal.namespace, logger);
  const emit = jobEvents(eventLog(database.sql), logger);
  const templates = templateCatalogue({ userDir: config.templatesDir });
  const jobs = jobRepository(database.db);
  const assets = assetRepository(database.db);
  const sprites = spriteRepository(database.db);
  const pools = { gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool, templates, comfyInflight: config.comfyInflight };
  const { baseUrl, apiKey, model, visionModel, imageModel } = config.llm;
  const llm = baseUrl ? llmClient({ baseUrl, apiKey, model, visionModel }) : undefined;
  const characters = characterRepository(database.db);
  const worker = await Worker.create({
    connection: await connectWorkerTemporal(config),
    namespace: config.temporal.namespace,
    taskQueue: MAIN_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: {
      ...jobActivities({ jobs, emit, ...pools }),
      ...sceneActivities({ jobs, assets, store, emit, llm, gpuPools: pools.gpuPools, defaultPool: pools.defaultPool }),
      ...imageEditActivities({ store, assets, emit, llm, imageModel }),
      ...imagingActivities({ store, assets, emit }),
      ...campaignActivities({
        campaigns: campaignRepository(database.db), jobs, assets, store, emit,
        // without an LLM the campaign activities say so when asked (requireLlm)
        llm: llm ?? llmClient({ baseUrl: '', model, visionModel }),
        gpuPools: pools.gpuPools, defaultPool: pools.defaultPool, comfyInflight: pools.comfyInflight, chapterFanout: config.chapterFanout,
        leases: slotLeases(database.sql),
      }),
      ...loraJobActivities({ jobs, emit, characters, loras: loraRepository(database.db), store, gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool }),
      ...datasetActivities({ store, assets, characters, emit, logger, llm }),
      ...spritesActivities({ jobs, emit, assets, sprites, bevyRoots: config.bevyRoots, ...pools }),
      ...bevyActivities({ store, sprites, emit, bevyRoots: config.bevyRoots }),
      ...poolActivities({ hosts: gpuHostRegistry(database.sql, config.gpuHosts), dispatches: promptDispatches(database.sql) }),
    },
    // heartbeats carry cancellation back: without this the SDK sends one per 8 s and a cancelled chapter writes on that long
    maxHeartbeatThrottleInterval: '1 second',
  });
  logger.info({ taskQueue: MAIN_TASK_QUEUE }, 'main worker polling');
  // jobs terminated in Temporal (or timed out) never run their own ending: recorded from here
  const closures = jobClosures({ client, namespace: config.temporal.namespace, jobs, emit, logger });
  closures.start();
  await worker.run();
  await closures.stop();
  templates.close();
  await Promise.allSettled([client.connection.close(), worker.options.connection?.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'main worker'));
