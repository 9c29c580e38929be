// Images with a LoRA, on the GPU host that holds it: the LoRA is installed into that host's ComfyUI and every prompt
// is pinned to its host queue (atelier-gpu-<pool>-<host>). When the host does not take the work (lost), it fails
// over: the LoRA comes from the artifact store to another host of the pool, and the job's events say why.
import { proxyActivities, ActivityFailure, TimeoutFailure, ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import type { ComfyActivities } from '../activities/comfy.ts';
import type { LoraInstallActivities } from '../activities/lora-install.ts';
import type { JobActivities } from '../activities/jobs.ts';
import { gpuTaskQueue, type AssetRef } from './messages.ts';

/** how long a host may leave pinned work untaken before it counts as lost */
export const HOST_TAKES_WORK_WITHIN = '2 minutes';

const gpuOptions = (taskQueue: string, pinned: boolean): ActivityOptions => ({
  taskQueue,
  ...(pinned ? { scheduleToStartTimeout: HOST_TAKES_WORK_WITHIN } : {}),
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 30 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const onHost = (pool: string, host: string) => proxyActivities<ComfyActivities & LoraInstallActivities>(gpuOptions(gpuTaskQueue(pool, host), true));
const anyHost = (pool: string) => proxyActivities<LoraInstallActivities>(gpuOptions(gpuTaskQueue(pool), false));

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
      try {
        await onHost(pool, host).installLora({ jobId, name: lora.name, relativePath: lora.relativePath, reason });
        return;
      } catch (error) {
        if (!hostLost(error)) throw error;
        await request.jobs.recordEvent(jobId, 'lora.failover', { from: host, pool, reason: `host ${host} did not take the work within ${HOST_TAKES_WORK_WITHIN} (lost?): moving to another host of pool ${pool}, with the LoRA from the artifact store` }, { level: 'warn' });
      }
    }
    host = (await anyHost(pool).installLora({ jobId, name: lora.name, relativePath: lora.relativePath, reason: request.host ? 'failover' : reason })).host;
  };

  await install(request.host ? 'sampling on the host that trained the LoRA' : 'first use on this host');
  for (const item of request.prompts) {
    for (;;) {
      try {
        const assets = await onHost(pool, host!).runComfyPrompt({
          jobId, step: item.stepId, template: lora.template, kind: 'samples',
          values: { prompt: item.prompt, seed: item.seed, width: request.size, height: request.size, lora: lora.file, loraStrength: 1 },
        });
        request.onImage?.({ stepId: item.stepId, prompt: item.prompt, assets, host: host! });
        break;
      } catch (error) {
        if (!hostLost(error)) throw error;
        await request.jobs.recordEvent(jobId, 'lora.failover', { from: host, pool, step: item.stepId, reason: `host ${host} stopped taking work: moving to another host of pool ${pool}` }, { level: 'warn' });
        request.host = undefined;
        host = undefined;
        await install('failover');
      }
    }
  }
  return { host: host! };
}
