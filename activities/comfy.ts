// The GPU activity: runs one ComfyUI prompt and stores its images. Safe to retry: the prompt id is derived
// from the workflow and activity, so a retry finds its own prompt (finished in /history, waiting in /queue)
// and queues again only when ComfyUI lost it in a restart. Each image is made once.
import { Context, ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import { comfyClient, ComfyRejectedError, type ComfyClient, type ComfyHistoryEntry, type ObjectInfo } from '../core/comfy/client.ts';
import { outcomeFromHistory, promptTracker, type PromptOutcome } from './comfy-frames.ts';
import { TemplateError, type ComfyGraph, type ComfyTemplate } from '../core/templates/manifest.ts';
import { buildGraph } from '../core/templates/graph.ts';
import { imageValues } from '../core/templates/values.ts';
import { checkAgainstServer, ServerMismatchError } from '../core/templates/server.ts';
import type { TemplateCatalogue } from '../core/templates/catalogue.ts';
import { assetIdFor, sha256, type AssetKind, type Store } from '../core/store.ts';
import type { AssetRepository } from '../db/assets.ts';
import type { EmitEvent } from './events.ts';
import type { AssetRef } from '../workflows/messages.ts';
import type { PromptDispatches } from '../db/prompt-dispatches.ts';
import { locateAt, stepWords, whereabouts } from './comfy-dispatch.ts';
import type { PoolGate } from './pool-gate.ts';

export interface ComfyDeps {
  /** the GPU pool this worker serves, named in messages */
  pool: string;
  /** this GPU host, as registered in its pool (named in the dispatch records, events and each image's record) */
  host?: string;
  comfyUrl: string;
  /** this host's ComfyUI as the other hosts reach it (recorded with each prompt; default comfyUrl) — a sidecar
   *  this worker reaches on 127.0.0.1 is reached by the others at its pod's address */
  advertisedUrl?: string;
  /** where each prompt was sent: a retry finds its prompt at the ComfyUI of the host it was sent to */
  dispatches?: PromptDispatches;
  store: Store;
  assets: AssetRepository;
  emit: EmitEvent;
  logger: Logger;
  templates: TemplateCatalogue;
  /** how often the activity checks /history and /queue besides following frames */
  reconcileMs?: number;
  /** puts a trained LoRA (DATA_DIR/loras) into this host's ComfyUI when a prompt names one it lacks */
  ensureLora?: (fileName: string) => Promise<boolean>;
  /** holds prompts back while an operator has paused the pool */
  gate?: PoolGate;
}

export interface ComfyPromptInput {
  jobId: string;
  /** names the step in events and files: `image-3` */
  step: string;
  template: string;
  values: Record<string, unknown>;
  kind: AssetKind;
}

export function promptIdFor(key: string): string {
  const hex = sha256(key).slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function comfyActivities(deps: ComfyDeps) {
  const client: ComfyClient = comfyClient(deps.comfyUrl);
  const reconcileMs = deps.reconcileMs ?? 2000;
  // /object_info of a real server with many custom nodes is megabytes: keep it a minute, and look again
  // before refusing a graph for a node or model the cached copy lacks (a LoRA trained a moment ago)
  let objectInfoCache: { at: number; value: ObjectInfo } | undefined;
  async function checkedAgainstServer(template: ComfyTemplate, graph: ComfyGraph, values: Record<string, unknown>): Promise<string[]> {
    const cached = objectInfoCache && Date.now() - objectInfoCache.at < 60_000 ? objectInfoCache.value : undefined;
    for (const objectInfo of cached ? [cached, undefined] : [undefined]) {
      const info = objectInfo ?? (objectInfoCache = { at: Date.now(), value: await client.objectInfo() }).value;
      const candidate = structuredClone(graph);
      try {
        const notes = checkAgainstServer(template, candidate, values, info, deps.pool);
        Object.assign(graph, candidate);
        return notes;
      } catch (error) {
        if (objectInfo && error instanceof ServerMismatchError) continue;
        // the user's to fix (install the node, add the model, change the value): say which, and do not retry
        if (error instanceof ServerMismatchError) throw ApplicationFailure.nonRetryable(error.message, error.kind);
        throw error;
      }
    }
    throw new Error('unreachable');
  }

  async function storeOutputs(input: ComfyPromptInput, entry: ComfyHistoryEntry, from: ComfyClient): Promise<AssetRef[]> {
    const images = Object.values(entry.outputs).flatMap((o) => o.images ?? []);
    const saved = images.filter((i) => i.type === 'output');
    const refs: AssetRef[] = [];
    for (const [index, image] of (saved.length ? saved : images).entries()) {
      const bytes = await from.view(image);
      const meta = await sharp(bytes).metadata();
      const ext = meta.format === 'jpeg' ? 'jpg' : meta.format ?? 'png';
      const relativePath = deps.store.relativeAssetPath(input.jobId, input.kind, `${input.step}-${index + 1}.${ext}`);
      await deps.store.writeAtomic(relativePath, bytes);
      const ref: AssetRef = { id: assetIdFor(relativePath), path: relativePath, kind: input.kind, mime: `image/${meta.format === 'jpeg' ? 'jpeg' : meta.format ?? 'png'}`, width: meta.width, height: meta.height };
      await deps.assets.upsert({ id: ref.id, jobId: input.jobId, kind: input.kind, relativePath, sha256: sha256(bytes), bytes: bytes.length, width: meta.width ?? null, height: meta.height ?? null, mime: ref.mime, meta: { step: input.step, comfyFile: image.filename, pool: deps.pool, host: deps.host } });
      await deps.emit(input.jobId, 'asset.created', { step: input.step, assetId: ref.id, path: relativePath, width: meta.width, height: meta.height }, { dedupeKey: `asset:${ref.id}` });
      refs.push(ref);
    }
    return refs;
  }

  /** Image parameters carry asset ids: send those files to ComfyUI's input folder and pass the names it gives. */
  async function uploadImages(template: ComfyTemplate, values: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolved = { ...values };
    for (const [name, assetId] of imageValues(template, values)) {
      const asset = await deps.assets.get(assetId);
      if (!asset) throw ApplicationFailure.nonRetryable(`no asset "${assetId}" for ${name}: pass the id of an image from a job's assets`, 'BadInput');
      const bytes = await deps.store.read(asset.relativePath);
      const uploaded = await client.uploadImage(`atelier-${asset.id}.${asset.relativePath.split('.').pop()}`, bytes);
      resolved[name] = uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;
    }
    return resolved;
  }

  function failureFor(outcome: PromptOutcome, step: string): Error {
    if (outcome.outcome === 'error') {
      return ApplicationFailure.nonRetryable(`ComfyUI failed at node ${outcome.nodeId} (${outcome.nodeType}): ${outcome.message}`, 'ComfyExecutionError', { step, ...outcome });
    }
    // its history now says "interrupted" under this prompt id, so a retry would only find that again
    return ApplicationFailure.nonRetryable(`ComfyUI interrupted the prompt for ${step} (stopped on the ComfyUI server, not by Atelier): start the job again`, 'ComfyInterrupted');
  }

  async function runComfyPrompt(input: ComfyPromptInput): Promise<AssetRef[]> {
    const context = Context.current();
    const { workflowId, runId } = context.info.workflowExecution!;
    const promptId = promptIdFor(`${workflowId}/${runId}/${context.info.activityId}`);
    const clientId = `atelier-${promptId}`;
    const log = deps.logger.child({ jobId: input.jobId, promptId, step: input.step, attempt: context.info.attempt });

    let graph: ComfyGraph;
    let template: ComfyTemplate;
    try {
      template = await deps.templates.find(input.template);
      graph = buildGraph(template, await uploadImages(template, input.values));
    } catch (error) {
      if (error instanceof TemplateError) throw ApplicationFailure.nonRetryable(error.message, 'TemplateError');
      throw error;
    }
    if (typeof input.values.lora === 'string') await deps.ensureLora?.(input.values.lora);
    for (const note of await checkedAgainstServer(template, graph, input.values)) {
      await deps.emit(input.jobId, 'comfy.notice', { step: input.step, message: note }, { level: 'warn', dedupeKey: `notice:${input.step}:${note}` });
    }

    const tracker = promptTracker(promptId);
    // the ComfyUI the prompt is at: this host's, or another host's that it was sent to before (followed there)
    let comfy: ComfyClient = client;
    let socket: WebSocket | undefined;
    let socketOpen = false;
    let wake: () => void = () => {};
    let lastProgressEvent = 0;
    const heartbeat = () => context.heartbeat({ promptId, node: tracker.progress.node, value: tracker.progress.value, max: tracker.progress.max });

    const onFrame = (frame: Parameters<typeof tracker.apply>[0]) => {
      if (!tracker.apply(frame)) return;
      heartbeat();
      const now = Date.now();
      if (frame.type === 'progress' && now - lastProgressEvent >= 500) {
        lastProgressEvent = now;
        void deps.emit(input.jobId, 'progress', { step: input.step, node: tracker.progress.node, nodeType: graph[tracker.progress.node ?? '']?.class_type, value: tracker.progress.value, max: tracker.progress.max }, { level: 'debug' }).catch(() => {});
      }
      if (tracker.ended) wake();
    };
    const connect = async () => {
      try {
        socket = await comfy.openSocket(clientId, onFrame, () => { socketOpen = false; wake(); });
        socketOpen = true;
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'ComfyUI WebSocket not reachable; following through /history');
      }
    };

    const submit = async (reason: string) => {
      // always to this host's ComfyUI, recorded before it is sent
      if (comfy !== client) {
        socket?.close();
        comfy = client;
        await connect();
      }
      await deps.dispatches?.record({ promptId, jobId: input.jobId, step: input.step, pool: deps.pool, host: deps.host ?? 'unknown', comfyUrl: deps.advertisedUrl ?? deps.comfyUrl, attempt: context.info.attempt });
      try {
        const number = await comfy.queuePrompt(graph, { promptId, clientId });
        await deps.emit(input.jobId, 'comfy.queued', { step: input.step, promptId, number, reason }, { dedupeKey: `queued:${promptId}:${context.info.attempt}:${reason}` });
      } catch (error) {
        if (!(error instanceof ComfyRejectedError)) throw error;
        // a cached /object_info can be older than the server (a node pack removed since): a fresh look names
        // what is missing in the words the API uses; otherwise ComfyUI's own refusal, described
        objectInfoCache = undefined;
        await checkedAgainstServer(template, structuredClone(graph), input.values);
        throw ApplicationFailure.nonRetryable(error.message, 'ComfyRejected');
      }
    };

    const cancelAtComfy = async () => {
      try {
        const queue = await comfy.queue();
        if (queue.pending.includes(promptId)) {
          await comfy.deletePending(promptId);
          await deps.emit(input.jobId, 'comfy.cancelled', { step: input.step, promptId, how: 'deleted from queue' });
        } else if (queue.running.includes(promptId)) {
          await comfy.interrupt(promptId);
          for (let waited = 0; waited < 30_000 && !tracker.ended && !(await comfy.history(promptId)); waited += 250) await sleep(250);
          await deps.emit(input.jobId, 'comfy.cancelled', { step: input.step, promptId, how: 'interrupted' });
        }
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'could not cancel the prompt at ComfyUI');
      }
    };

    let cancelled = false;
    // a worker stopping (drained, redeployed) is not a job cancelled: its prompts stay at ComfyUI for the next attempt
    let workerStopping = false;
    context.cancelled.catch(() => { workerStopping = context.cancellationDetails?.workerShutdown ?? false; cancelled = true; wake(); });
    const unwatchGate = deps.gate?.watch(() => wake());

    try {
      const sent = deps.dispatches && context.info.attempt > 1 ? await whereabouts(deps.dispatches, promptId, { comfyUrl: deps.advertisedUrl ?? deps.comfyUrl }) : { at: 'here' as const };
      if (sent.at === 'elsewhere') {
        comfy = sent.client;
        await deps.dispatches!.take(promptId, deps.host ?? 'unknown');
      }
      await connect();
      const where = sent.at === 'elsewhere' ? sent.found : await locateAt(comfy, promptId);
      if (sent.at === 'gone') {
        await deps.emit(input.jobId, 'comfy.rendered-again', { step: input.step, promptId, lostHost: sent.host, host: deps.host, why: sent.why, message: `host ${sent.host} lost; ${stepWords(input.step)} rendered again on ${deps.host}` }, { level: 'warn', dedupeKey: `again:${promptId}:${context.info.attempt}` });
      }
      if (where === 'absent') {
        await deps.gate?.pass(input.jobId, input.step);
        await submit(sent.at === 'gone' ? `host ${sent.host} lost: ${sent.why}` : context.info.attempt > 1 ? 'retry: not found at ComfyUI' : 'first attempt');
      } else await deps.emit(input.jobId, 'comfy.resumed', { step: input.step, promptId, found: where, ...(sent.at === 'elsewhere' ? { at: sent.host, by: deps.host } : {}) }, { dedupeKey: `resumed:${promptId}:${context.info.attempt}` });

      let absentChecks = 0;
      let entry: ComfyHistoryEntry | undefined;
      while (!entry) {
        if (cancelled) throw new CancelledFailure('cancelled');
        if (!tracker.ended) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, reconcileMs); });
        if (cancelled) throw new CancelledFailure('cancelled');
        heartbeat();
        entry = await comfy.history(promptId);
        if (entry) break;
        if (tracker.ended) { await sleep(100); continue; }
        if (!socketOpen) await connect();
        const queue = await comfy.queue();
        if (queue.pending.includes(promptId) && deps.gate?.closed()) {
          const at = comfy;
          await deps.gate.holdBack(input.jobId, input.step, { id: promptId, remove: () => at.deletePending(promptId), locate: () => locateAt(comfy, promptId), submit });
          continue;
        }
        if (queue.running.includes(promptId) || queue.pending.includes(promptId)) { absentChecks = 0; continue; }
        // gone from both: ComfyUI restarted and lost it. Ask twice so a prompt finishing between the calls is not re-run.
        if (++absentChecks >= 2) {
          absentChecks = 0;
          await submit('ComfyUI lost the prompt (restarted?)');
        }
      }
      const outcome = outcomeFromHistory(entry.status);
      if (outcome.outcome !== 'success') {
        await deps.dispatches?.end(promptId);
        throw failureFor(outcome, input.step);
      }
      const stored = await storeOutputs(input, entry, comfy);
      await deps.dispatches?.end(promptId, deps.host);
      return stored;
    } catch (error) {
      if (workerStopping) throw ApplicationFailure.retryable(`the GPU worker of host ${deps.host} is stopping: the prompt of ${input.step} stays at its ComfyUI, where the next attempt looks for it first`, 'WorkerStopping');
      if (cancelled || error instanceof CancelledFailure) {
        await cancelAtComfy();
        await deps.dispatches?.end(promptId).catch(() => {});
        throw error instanceof CancelledFailure ? error : new CancelledFailure('cancelled');
      }
      throw error;
    } finally {
      unwatchGate?.();
      socket?.close();
    }
  }

  return { runComfyPrompt };
}

export type ComfyActivities = ReturnType<typeof comfyActivities>;
