// The pixel checks of the scene steps. Each returns its measurements against the step's thresholds (shown to the
// person reviewing, kept with the attempt) and whether all of them pass. One pass over the pixels each (pixel-scan.ts).
import type { ReviewMetric } from '../../workflows/messages.ts';
import type { StepThresholds } from '../../workflows/scene-plan.ts';
import type { Raster } from './raster.ts';
import { borderWhite, countAtLeastHalf, countNonWhite } from './pixel-scan.ts';
import { plateDifference, regionDifference } from './difference.ts';

export interface CheckResult { metrics: ReviewMetric[]; passed: boolean }

export function metric(name: string, label: string, value: number, range: { min?: number; max?: number; unit?: string } = {}): ReviewMetric {
  const pass = Number.isFinite(value) && (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
  return { name, label, value: Math.round(value * 10000) / 10000, ...range, pass };
}

const result = (metrics: ReviewMetric[]): CheckResult => ({ metrics, passed: metrics.every((m) => m.pass) });
const sizeMetric = (a: { width: number; height: number }, b: { width: number; height: number }) =>
  metric('sameSize', `Same size as the input (${b.width} × ${b.height})`, a.width === b.width && a.height === b.height ? 1 : 0, { min: 1 });

/** EXTRACT: the target alone on solid white, the input's size, non-white share within range, a white border. */
export function checkExtraction(output: Raster, input: { width: number; height: number }, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  if (!size.pass) return result([size]);
  const tolerance = t.whiteTolerance ?? 12;
  // a transparent pixel is no subject (a PNG cut-out counts as on white)
  const nonWhite = countNonWhite(output, tolerance);
  const border = borderWhite(output, tolerance);
  return result([
    size,
    metric('coverage', 'Share of non-white pixels (the target)', nonWhite / (output.width * output.height), { min: t.minCoverage, max: t.maxCoverage }),
    metric('borderWhite', 'Share of the border that is white', border.white / border.border, { min: t.borderWhite }),
  ]);
}

/** REMOVE: outside the mask the plate matches the input (no shift, no crop); inside, something changed. */
export function checkCleanPlate(output: Raster, input: Raster, mask: Raster | undefined, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  if (!size.pass) return result([size]);
  const pixels = input.width * input.height;
  const d = plateDifference(output, input, mask);
  const outside = pixels - d.inside;
  const metrics = [size];
  if (mask) {
    metrics.push(metric('outsideDiff', 'Mean difference from the input outside the mask', outside ? d.outsideSum / 3 / outside : 0, { max: t.plateTolerance, unit: '/255' }));
    metrics.push(metric('changedInside', 'Share of the masked area that changed', d.inside ? d.changedInside / d.inside : 0, { min: t.minChange }));
  } else {
    metrics.push(metric('changed', 'Share of the picture that changed', d.changed / pixels, { min: 0.001, max: t.maxCoverage }));
  }
  return result(metrics);
}

/** BG_REMOVE: a transparent PNG of the input's size whose opaque share is within range. */
export function checkBackgroundRemoval(output: Raster, input: { width: number; height: number }, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  const alpha = metric('transparent', 'Has transparency', output.channels === 4 ? 1 : 0, { min: 1 });
  if (!size.pass || !alpha.pass) return result([size, alpha]);
  const opaque = countAtLeastHalf(output.data, 4, 3);
  return result([size, alpha, metric('coverage', 'Share of opaque pixels (the foreground)', opaque / (output.width * output.height), { min: t.minCoverage, max: t.maxCoverage })]);
}

/** REFRAME: the canvas at the target aspect, the original pixels exactly where they were. */
export function checkReframe(output: Raster, input: Raster, at: { left: number; top: number }, aspect: number, t: StepThresholds): CheckResult {
  const ratio = output.width / output.height;
  const aspectMetric = metric('aspect', 'Aspect ratio (width ÷ height)', ratio, { min: aspect * 0.98, max: aspect * 1.02 });
  const fits = at.left >= 0 && at.top >= 0 && at.left + input.width <= output.width && at.top + input.height <= output.height;
  const holds = metric('holdsOriginal', 'The canvas holds the original', fits ? 1 : 0, { min: 1 });
  if (!fits) return result([aspectMetric, holds]);
  const sum = regionDifference(output, input, at);
  return result([aspectMetric, holds, metric('originalDiff', 'Mean difference on the original pixels', sum / (3 * input.width * input.height), { max: t.plateTolerance, unit: '/255' })]);
}
