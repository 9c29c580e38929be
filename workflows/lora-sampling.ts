// Images with a LoRA, on the GPU host that holds it: the LoRA is installed into that host's ComfyUI and every prompt
// is pinned to its host queue (atelier-gpu-<pool>-<host>). When the pool's registry says the host is lost or stopped
// (or it does not take the work in time), it fails over: the LoRA comes from the artifact store to another host of
// the pool, and the job's events say why.
import { proxyActivities, ActivityFailure, TimeoutFailure, ActivityCancellationType, CancellationScope, condition, isCancellation, type ActivityOptions } from '@temporalio/workflow';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { LoraInstallActivities } from '../activities/lora-install.ts';
import type { JobActivities } from '../activities/jobs.ts';
import { gpuTaskQueue, type AssetRef } from './messages.ts';
import { hostGone } from './pool-capacity.ts';

/** how long a host may leave pinned work untaken before it counts as lost (a host the registry knows as lost or
 * stopped is not waited for at all) */
export const HOST_TAKES_WORK_WITHIN = '30 seconds';

const gpuOptions = (taskQueue: string, pinned: boolean): ActivityOptions => ({
  taskQueue,
  ...(pinned ? { scheduleToStartTimeout: HOST_TAKES_WORK_WITHIN } : {}),
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 30 },
  // pinned work given up on a host the registry calls lost or stopped is not waited for (its worker is gone);
  // a job's cancel still reaches a live host's prompt through the heartbeat
  cancellationType: pinned ? ActivityCancellationType.TRY_CANCEL : ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const onHost = (pool: string, host: string) => proxyActivities<ComfyActivities & LoraInstallActivities>(gpuOptions(gpuTaskQueue(pool, host), true));
const anyHost = (pool: string) => proxyActivities<LoraInstallActivities>(gpuOptions(gpuTaskQueue(pool), false));

class HostGone extends Error {}

/** how often pinned work looks at its host's state in the registry */
const HOST_CHECK_EVERY = '3 seconds';

/** pinned work on `host`, given up (HostGone) as soon as the registry says the host is lost or stopped */
async function whileHostLives<T>(pool: string, host: string, work: () => Promise<T>): Promise<T> {
  const first = await hostGone(pool, host);
  if (first) throw new HostGone(first);
  let gone: string | undefined;
  let done = false;
  const scope = new CancellationScope();
  void (async () => {
    while (!done) {
      await condition(() => done, HOST_CHECK_EVERY);
      if (done) return;
      gone = await hostGone(pool, host);
      if (gone) return scope.cancel();
    }
  })().catch(() => { /* the job was cancelled: the work's own scope ends it */ });
  try {
    return await scope.run(work);
  } catch (error) {
    if (gone && isCancellation(error)) throw new HostGone(gone);
    throw error;
  } finally {
    done = true;
  }
}

export function hostLost(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === 'SCHEDULE_TO_START';
}

export interface LoraImagesRequest {
  jobId: string;
  pool: string;
  /** the host that holds the LoRA (it trained it); unset: any host of the pool */
  host?: string;
  lora: { name: string; file: string; relativePath: string; template: string };
  prompts: { stepId: string; prompt: string; seed: number }[];
  size: number;
  jobs: Pick<JobActivities, 'recordEvent'>;
  /** told of each image as it is made */
  onImage?: (image: { stepId: string; prompt: string; assets: AssetRef[]; host: string }) => void;
}

export async function loraImages(request: LoraImagesRequest): Promise<{ host: string }> {
  const { jobId, pool, lora } = request;
  let host = request.host;
  const install = async (reason: string) => {
    if (host) {
      const pinned = host;
      let why = `host ${host} did not take the work within ${HOST_TAKES_WORK_WITHIN} (lost?)`;
      try {
        await whileHostLives(pool, pinned, () => onHost(pool, pinned).installLora({ jobId, name: lora.name, relativePath: lora.relativePath, reason }));
        return;
      } catch (error) {
        if (!hostLost(error) && !(error instanceof HostGone)) throw error;
        if (error instanceof HostGone) why = error.message;
      }
      await request.jobs.recordEvent(jobId, 'lora.failover', { from: host, pool, reason: `${why}: moving to another host of pool ${pool}, with the LoRA from the artifact store` }, { level: 'warn' });
    }
    host = (await anyHost(pool).installLora({ jobId, name: lora.name, relativePath: lora.relativePath, reason: request.host ? 'failover' : reason })).host;
  };

  await install(request.host ? 'sampling on the host that trained the LoRA' : 'first use on this host');
  for (const item of request.prompts) {
    for (;;) {
      try {
        const pinned = host!;
        const assets = await whileHostLives(pool, pinned, () => onHost(pool, pinned).runComfyPrompt({
          jobId, step: item.stepId, template: lora.template, kind: 'samples',
          values: { prompt: item.prompt, seed: item.seed, width: request.size, height: request.size, lora: lora.file, loraStrength: 1 },
        }));
        request.onImage?.({ stepId: item.stepId, prompt: item.prompt, assets, host: host! });
        break;
      } catch (error) {
        if (!hostLost(error) && !(error instanceof HostGone)) throw error;
        const why = error instanceof HostGone ? error.message : `host ${host} stopped taking work`;
        await request.jobs.recordEvent(jobId, 'lora.failover', { from: host, pool, step: item.stepId, reason: `${why}: moving to another host of pool ${pool}, with the LoRA from the artifact store` }, { level: 'warn' });
        request.host = undefined;
        host = undefined;
        await install('failover');
      }
    }
  }
  return { host: host! };
}
