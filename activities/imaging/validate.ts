// The pixel check of one scene step's output, as the imaging activity runs it (and the benchmark measures it):
// the output decoded once, the input and mask taken from the step's decoded
// copies, the input's size from its asset record, then the step type's check.
import type { StepThresholds, StepType } from '../../workflows/scene-plan.ts';
import { checkBackgroundRemoval, checkCleanPlate, checkExtraction, checkReframe, type CheckResult } from './checks.ts';
import { decodeRaster, type Raster } from './raster.ts';

export const CHECKED_STEP_TYPES: readonly StepType[] = ['EXTRACT', 'REMOVE', 'BG_REMOVE', 'REFRAME'];

export interface StepCheck {
  type: StepType;
  thresholds: StepThresholds;
  /** REFRAME: where the original sits on the new canvas, and the aspect asked for */
  reframe?: { left: number; top: number };
  aspect?: number;
}

export interface CheckSources {
  inputSize: { width: number; height: number };
  /** the step's input, decoded (cached by the caller: every attempt of a step compares against the same one) */
  input: () => Promise<Raster>;
  mask?: () => Promise<Raster>;
}

export async function checkStepOutput(check: StepCheck, output: Buffer, sources: CheckSources): Promise<CheckResult> {
  switch (check.type) {
    case 'EXTRACT': return checkExtraction(await decodeRaster(output), sources.inputSize, check.thresholds);
    case 'BG_REMOVE': return checkBackgroundRemoval(await decodeRaster(output), sources.inputSize, check.thresholds);
    case 'REMOVE': {
      const [plate, input, mask] = await Promise.all([decodeRaster(output), sources.input(), sources.mask?.()]);
      return checkCleanPlate(plate, input, mask, check.thresholds);
    }
    case 'REFRAME': {
      const [canvas, input] = await Promise.all([decodeRaster(output), sources.input()]);
      return checkReframe(canvas, input, check.reframe ?? { left: 0, top: 0 }, check.aspect ?? 1, check.thresholds);
    }
    default: throw new Error(`a ${check.type} step has no pixel check`);
  }
}
