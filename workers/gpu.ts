// A GPU worker: one per GPU host, serving its pool's queue and its own host queue (for work that needs a
// file on this host). It keeps `ATELIER_COMFY_INFLIGHT` prompts queued at its ComfyUI so the GPU never waits.
import { Worker } from '@temporalio/worker';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openServices, exitOnFatal } from '../core/services.ts';
import { installTemporalLogging, connectWorkerTemporal, connectTemporalClient } from '../core/temporal.ts';
import { comfyActivities } from '../activities/comfy.ts';
import { jobEvents } from '../activities/events.ts';
import { templateCatalogue } from '../core/templates/catalogue.ts';
import { assetRepository } from '../db/assets.ts';
import { eventLog } from '../db/events.ts';
import { gpuTaskQueue, poolWaitSignal, trainingTaskQueue } from '../workflows/messages.ts';
import { poolGate } from '../activities/pool-gate.ts';
import path from 'node:path';
import { trainingActivities, recordsDir } from '../activities/training.ts';
import { trainerSetup } from '../activities/training/setup.ts';
import { reapOrphanTrainers } from '../activities/training/process.ts';
import { loraInstallActivities } from '../activities/lora-install.ts';
import { ensureDemoTrainer, DEMO_TRAINER_RUN } from '../infra/local/demo-trainer/install.ts';
import { gpuHostRegistry, keepRegistered } from '../db/gpu-hosts.ts';
import fs from 'node:fs';
import { promptDispatches } from '../db/prompt-dispatches.ts';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function run() {
  const { values } = parseArgs({ options: { pool: { type: 'string' }, host: { type: 'string' }, 'comfy-url': { type: 'string' } } });
  const host = (values.host ?? process.env.ATELIER_GPU_HOST ?? os.hostname()).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  // the GPU workers of a pool share a service name and write one log file per host; a DATA_DIR that is not the
  // shared store (its marker differs from the database's) stops the worker here, before it writes anything
  const { config, logger, database, store } = await openServices((c) => `worker-gpu-${values.pool ?? c.defaultPool ?? 'unknown'}`, { host, store: 'check' });
  const pool = values.pool ?? config.defaultPool;
  // a host of a pool with several GPU boxes talks to its own ComfyUI; by default the pool's
  const comfyUrl = (values['comfy-url'] ?? process.env.ATELIER_COMFY_URL ?? (pool ? config.gpuPools[pool] : undefined))?.replace(/\/+$/, '');
  if (!pool || !config.gpuPools[pool] || !comfyUrl) {
    logger.fatal(`--pool must name a GPU pool from ATELIER_GPU_POOLS (${Object.keys(config.gpuPools).join(', ') || 'none configured'})`);
    process.exit(2);
  }
  if (!URL.canParse(comfyUrl) || !/^https?:$/.test(new URL(comfyUrl).protocol)) {
    logger.fatal(`--comfy-url (or ATELIER_COMFY_URL) must be this host's ComfyUI as an http(s) URL, got "${comfyUrl}"`);
    process.exit(2);
  }
  // the URL the other hosts of the pool reach this ComfyUI at (a retried prompt is looked for there)
  const advertisedUrl = process.env.ATELIER_COMFY_ADVERTISE_URL?.replace(/\/+$/, '') || comfyUrl;
  if (!URL.canParse(advertisedUrl) || !/^https?:$/.test(new URL(advertisedUrl).protocol)) {
    logger.fatal(`ATELIER_COMFY_ADVERTISE_URL must be an http(s) URL at which the other GPU hosts reach this host's ComfyUI, got "${advertisedUrl}"`);
    process.exit(2);
  }
  installTemporalLogging(logger);
  const connection = await connectWorkerTemporal(config);
  const client = await connectTemporalClient(config);
  const templates = templateCatalogue({ userDir: config.templatesDir });
  const assets = assetRepository(database.db);
  const emit = jobEvents(eventLog(database.sql), logger);
  const workDir = config.gpuWorkDir ?? path.join(config.dataDir, 'gpu', `${pool}-${host}`);
  // trainers a killed worker on this host left running: ended before this one takes work
  const reaped = await reapOrphanTrainers(recordsDir(workDir), config.trainer.graceMs, async (record, how) => {
    logger.warn({ jobId: record.jobId, pid: record.pid, how }, 'ended a trainer left running by a stopped worker');
    await emit(record.jobId, 'training.orphan-ended', { host, pid: record.pid, how, fromAttempt: record.attempt, by: 'worker start' }, { level: 'warn' }).catch(() => {});
  });
  const registry = gpuHostRegistry(database.sql, config.gpuHosts);
  // an operator's pause of this pool (kept in the database, so it holds across restarts): nothing new starts
  const gate = poolGate({
    pool, host, emit, logger, paused: () => registry.paused(pool),
    tellWorkflow: ({ workflowId, runId }, wait) => client.workflow.getHandle(workflowId, runId).signal(poolWaitSignal, wait),
  });
  await gate.start();
  const lora = loraInstallActivities({ store, emit, pool, host, workDir, comfyLorasDir: config.comfyLorasDir });
  const activities = {
    ...comfyActivities({ pool, host, gate, comfyUrl, advertisedUrl, dispatches: promptDispatches(database.sql), store, assets, emit, logger, templates, ensureLora: lora.ensureLoraFile }),
    installLora: lora.installLora,
  };
  const training = trainingActivities({
    store, assets, emit, logger, pool, host, workDir, graceMs: config.trainer.graceMs,
    setup: trainerSetup(config, { ensure: (say) => ensureDemoTrainer((message) => { logger.info(message); say(message); }), run: DEMO_TRAINER_RUN }),
  });
  const queues = [gpuTaskQueue(pool), gpuTaskQueue(pool, host)];
  const common = {
    connection, namespace: config.temporal.namespace,
    // heartbeats carry cancellation back: without this the SDK sends one per 16 s and a cancel waits that long
    maxHeartbeatThrottleInterval: '1 second',
  } as const;
  const workers = await Promise.all([
    // one prompt running at ComfyUI plus `comfyInflight` waiting behind it
    ...queues.map((taskQueue) => Worker.create({ ...common, taskQueue, activities, maxConcurrentActivityTaskExecutions: config.comfyInflight + 1 })),
    // one training at a time on this GPU
    Worker.create({ ...common, taskQueue: trainingTaskQueue(pool), activities: training, maxConcurrentActivityTaskExecutions: 1 }),
  ]);
  queues.push(trainingTaskQueue(pool));
  const backend = config.demoBackends.includes(`comfyui:${pool}`) ? 'demo' : 'comfyui';
  logger.info({ pool, host, queues, comfyUrl, backend, inflight: config.comfyInflight, trainer: config.trainer.command ? config.trainer.backend : 'demo', workDir, reapedTrainers: reaped }, 'GPU worker polling');
  // this host in the pool's registry: jobs size their window from the live hosts' slots
  const registration = keepRegistered(registry,
    { pool, host, comfyUrl: advertisedUrl, slots: config.comfyInflight + 1, version: VERSION, pid: process.pid }, config.gpuHosts.beatMs,
    (error) => logger.warn({ err: error.message }, 'could not refresh this host in the GPU host registry'));
  await registration.start();
  await Promise.all(workers.map((w) => w.run()));
  await registration.stop();
  gate.stop();
  templates.close();
  await Promise.allSettled([connection.close(), client.connection.close(), database.close()]);
  process.exit(0);
}

run().catch(exitOnFatal(undefined, 'GPU worker'));
