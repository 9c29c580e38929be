// What a trainer backend (AI-Toolkit, kohya sd-scripts) tells the training activity: the arguments of a run, where
// its checkpoints and samples land and how they are named, and how to read its output.
import type { TrainingSettings } from '../../core/lora-settings.ts';
import type { ProgressParser } from './progress.ts';

export interface TrainingRun {
  jobId: string;
  /** file-safe LoRA name: the trainer's job name and the LoRA file's name */
  name: string;
  /** this job's folder on the GPU host */
  jobDir: string;
  /** images and caption files (`<stem>.txt`) */
  datasetDir: string;
  outputDir: string;
  settings: TrainingSettings;
  triggerWord: string;
  samplePrompts: string[];
  baseModel: string;
  arch: string;
  /** the demo trainer runs on the CPU with few sampling steps */
  demo: boolean;
}

export interface Checkpoint {
  step: number;
  /** absolute path of the LoRA weights */
  file: string;
  final: boolean;
  /** what else resuming from it needs (optimizer state, kohya's state folder), absolute paths */
  state: string[];
}

export interface TrainerBackend {
  name: 'ai-toolkit' | 'kohya';
  /** writes the config files of a run; the arguments to append to the trainer command */
  prepare(run: TrainingRun, resumeFrom?: Checkpoint): Promise<string[]>;
  /** the folder the checkpoints land in */
  checkpointDir(run: TrainingRun): string;
  /** the checkpoints in the run's output folder, oldest step first */
  checkpoints(run: TrainingRun): Promise<Checkpoint[]>;
  samplesDir(run: TrainingRun): string;
  /** step and prompt index of a sample file, undefined for a file that is not a finished sample */
  sampleOf(fileName: string): { step: number; index: number } | undefined;
  parser(run: TrainingRun): ProgressParser;
}
