// The main worker: every workflow and the CPU activities, on task queue `atelier`.
import { Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal, connectTemporalClient, ensureSearchAttributes } from '../core/temporal.ts';
import { jobActivities } from '../activities/jobs.ts';
import { jobEvents } from '../activities/events.ts';
import { jobRepository } from '../db/jobs.ts';
import { eventLog } from '../db/events.ts';
import { MAIN_TASK_QUEUE } from '../workflows/messages.ts';
import { loraJobActivities } from '../activities/lora-jobs.ts';
import { datasetActivities } from '../activities/datasets.ts';
import { llmClient } from '../activities/llm.ts';
import { assetRepository } from '../db/assets.ts';
import { characterRepository } from '../db/characters.ts';
import { loraRepository } from '../db/loras.ts';

async function run() {
  const { config, logger, database, store } = await openServices('worker-main');
  installTemporalLogging(logger);
  const client = await connectTemporalClient(config);
  await ensureSearchAttributes(client, config.temporal.namespace, logger);
  const emit = jobEvents(eventLog(database.sql), logger);
  const loraActivities = () => {
    const characters = characterRepository(database.db);
    const llm = config.llm.baseUrl ? llmClient({ baseUrl: config.llm.baseUrl, apiKey: config.llm.apiKey, model: config.llm.model, visionModel: config.llm.visionModel }) : undefined;
    return {
      ...loraJobActivities({ jobs: jobRepository(database.db), emit, characters, loras: loraRepository(database.db), store, gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool }),
      ...datasetActivities({ store, assets: assetRepository(database.db), characters, emit, logger, llm }),
    };
  };
  const worker = await Worker.create({
    connection: await connectWorkerTemporal(config),
    namespace: config.temporal.namespace,
    taskQueue: MAIN_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: {
      ...jobActivities({ jobs: jobRepository(database.db), emit, gpuPools: Object.keys(config.gpuPools), defaultPool: config.defaultPool, templatesDir: config.templatesDir, comfyInflight: config.comfyInflight }),
      ...loraActivities(),
    },
  });
  logger.info({ taskQueue: MAIN_TASK_QUEUE }, 'main worker polling');
  await worker.run();
  await Promise.allSettled([client.connection.close(), worker.options.connection?.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'main worker'));
