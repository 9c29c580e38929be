// Puts a LoRA where this GPU host's ComfyUI reads LoRAs (its models/loras folder), from the host's own training
// output when it trained here, else from the artifact store (a LoRA trained on another host, or a failover).
import { ApplicationFailure } from '@temporalio/activity';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../core/store.ts';
import type { EmitEvent } from './events.ts';
import { copyAtomic } from './training/checkpoint-store.ts';

export interface LoraInstallDeps { store: Store; emit: EmitEvent; pool: string; host: string; workDir: string; comfyLorasDir?: string }
export interface LoraInstallInput { jobId: string; name: string; /** in the artifact store */ relativePath: string; reason: string }
export interface InstalledLora { host: string; file: string; from: 'this host' | 'artifact store' | 'already there' }

const NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

export function loraInstallActivities(deps: LoraInstallDeps) {
  async function install(name: string, relativePath: string, trainedIn?: string): Promise<InstalledLora> {
    if (!NAME.test(name)) throw ApplicationFailure.nonRetryable(`"${name}" is not a LoRA name Atelier gave out`, 'BadInput');
    if (!deps.comfyLorasDir) {
      throw ApplicationFailure.nonRetryable(`the GPU worker on ${deps.host} does not know where its ComfyUI reads LoRAs: set ATELIER_COMFY_LORAS_DIR to that ComfyUI's models/loras folder`, 'NoLoraFolder');
    }
    const file = `${name}.safetensors`;
    const target = path.join(deps.comfyLorasDir, file);
    const source = deps.store.absolute(relativePath);
    const wanted = await fs.stat(source).catch(() => undefined);
    const there = await fs.stat(target).catch(() => undefined);
    if (there && wanted && there.size === wanted.size) return { host: deps.host, file, from: 'already there' };
    const local = trainedIn ? path.join(trainedIn, file) : undefined;
    if (local && (await fs.stat(local).catch(() => undefined))) {
      await copyAtomic(local, target);
      return { host: deps.host, file, from: 'this host' };
    }
    if (!wanted) throw ApplicationFailure.nonRetryable(`the LoRA ${file} is not in the artifact store (${relativePath})`, 'LoraMissing');
    await copyAtomic(source, target);
    return { host: deps.host, file, from: 'artifact store' };
  }

  return {
    /** for a job: installs the LoRA and says in the job's events on which host and from where */
    async installLora(input: LoraInstallInput): Promise<InstalledLora> {
      const trainedIn = path.join(deps.workDir, 'jobs', input.jobId, 'output', input.name);
      const installed = await install(input.name, input.relativePath, trainedIn);
      await deps.emit(input.jobId, 'lora.installed', { host: deps.host, pool: deps.pool, file: installed.file, from: installed.from, reason: input.reason });
      return installed;
    },
    /** for a generate job naming a trained LoRA this host's ComfyUI lacks: from DATA_DIR/loras */
    async ensureLoraFile(fileName: string): Promise<boolean> {
      const name = fileName.replace(/\.safetensors$/, '');
      if (!NAME.test(name) || !deps.comfyLorasDir) return false;
      const relativePath = `loras/${name}.safetensors`;
      if (!(await fs.stat(deps.store.absolute(relativePath)).catch(() => undefined))) return false;
      await install(name, relativePath);
      return true;
    },
  };
}

export type LoraInstallActivities = ReturnType<typeof loraInstallActivities>;
