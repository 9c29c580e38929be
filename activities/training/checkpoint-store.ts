// Checkpoints kept in the artifact store as they are written (jobs/<id>/checkpoints/), so a training that moves to
// another GPU host resumes there from the newest one: `<checkpoint>.safetensors` plus its state as
// `<checkpoint stem>--state--<file>` (a state folder's files as `--state--<folder>--<file>`).
import fs from 'node:fs/promises';
import path from 'node:path';
import { placeAtomically, type Store } from '../../core/store.ts';
import type { Checkpoint, TrainerBackend, TrainingRun } from './backend.ts';

const KEEP = 2;
const STEP = /(\d{8,9})\.safetensors$/;

export function copyAtomic(from: string, to: string): Promise<void> {
  return placeAtomically(to, (temp) => fs.copyFile(from, temp));
}

export interface StoredCheckpoint { step: number; final: boolean; file: string; stem: string; state: string[] }

export function checkpointStore(store: Store, jobId: string) {
  const relative = (file: string) => store.relativeAssetPath(jobId, 'checkpoints', file);
  const dir = () => path.dirname(store.absolute(relative('x')));

  async function list(run: Pick<TrainingRun, 'name' | 'settings'>): Promise<StoredCheckpoint[]> {
    const files = await fs.readdir(dir()).catch(() => [] as string[]);
    const found: StoredCheckpoint[] = [];
    for (const file of files.filter((f) => f.endsWith('.safetensors') && !f.includes('--state--'))) {
      const stem = file.slice(0, -'.safetensors'.length);
      const final = file === `${run.name}.safetensors`;
      const match = STEP.exec(file);
      if (!final && !match) continue;
      found.push({ step: final ? run.settings.steps : Number(match![1]), final, file, stem, state: files.filter((f) => f.startsWith(`${stem}--state--`)) });
    }
    return found.sort((a, b) => a.step - b.step || Number(a.final) - Number(b.final));
  }

  return {
    list,
    relative,
    /** copies a checkpoint and its state into the store; keeps the newest two there */
    async keep(run: TrainingRun, checkpoint: Checkpoint): Promise<string> {
      const stem = path.basename(checkpoint.file, '.safetensors');
      for (const state of checkpoint.state) {
        const stat = await fs.stat(state).catch(() => undefined);
        if (stat?.isDirectory()) {
          for (const file of await fs.readdir(state)) await copyAtomic(path.join(state, file), store.absolute(relative(`${stem}--state--${path.basename(state)}--${file}`)));
        } else if (stat) await copyAtomic(state, store.absolute(relative(`${stem}--state--${path.basename(state)}`)));
      }
      // the weights last: a stored checkpoint is complete once its .safetensors is there
      await copyAtomic(checkpoint.file, store.absolute(relative(path.basename(checkpoint.file))));
      const stored = await list(run);
      for (const old of stored.filter((c) => !c.final).slice(0, -KEEP)) {
        for (const file of [old.file, ...old.state]) await fs.rm(store.absolute(relative(file)), { force: true });
      }
      return relative(path.basename(checkpoint.file));
    },
    /** puts a stored checkpoint (and its state) where the trainer looks for it */
    async restore(run: TrainingRun, backend: TrainerBackend, checkpoint: StoredCheckpoint): Promise<void> {
      const target = backend.checkpointDir(run);
      for (const file of checkpoint.state) {
        const [folderOrFile, inner] = file.slice(`${checkpoint.stem}--state--`.length).split('--');
        await copyAtomic(store.absolute(relative(file)), inner ? path.join(target, folderOrFile!, inner) : path.join(target, folderOrFile!));
      }
      await copyAtomic(store.absolute(relative(checkpoint.file)), path.join(target, checkpoint.file));
    },
  };
}
