// The pixel checks of the scene steps. Each returns its measurements against the step's thresholds (shown to the
// person reviewing, kept with the attempt) and whether all of them pass. One pass over the pixels each.
import type { ReviewMetric } from '../../workflows/messages.ts';
import type { StepThresholds } from '../../workflows/scene-plan.ts';
import type { Raster } from './raster.ts';

export interface CheckResult { metrics: ReviewMetric[]; passed: boolean }

export function metric(name: string, label: string, value: number, range: { min?: number; max?: number; unit?: string } = {}): ReviewMetric {
  const pass = Number.isFinite(value) && (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
  return { name, label, value: Math.round(value * 10000) / 10000, ...range, pass };
}

const result = (metrics: ReviewMetric[]): CheckResult => ({ metrics, passed: metrics.every((m) => m.pass) });
const sizeMetric = (a: Raster, b: { width: number; height: number }) =>
  metric('sameSize', `Same size as the input (${b.width} × ${b.height})`, a.width === b.width && a.height === b.height ? 1 : 0, { min: 1 });

/** EXTRACT: the target alone on solid white, the input's size, non-white share within range, a white border. */
export function checkExtraction(output: Raster, input: { width: number; height: number }, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  if (!size.pass) return result([size]);
  const { width, height, channels, data } = output;
  const floor = 255 - (t.whiteTolerance ?? 12);
  let nonWhite = 0;
  let borderWhite = 0;
  let border = 0;
  for (let y = 0, i = 0; y < height; y++) {
    const edgeRow = y === 0 || y === height - 1;
    for (let x = 0; x < width; x++, i += channels) {
      // a transparent pixel is no subject (a PNG cut-out counts as on white)
      const white = (channels === 4 && data[i + 3]! < 16) || (data[i]! >= floor && data[i + 1]! >= floor && data[i + 2]! >= floor);
      if (!white) nonWhite++;
      if (edgeRow || x === 0 || x === width - 1) {
        border++;
        if (white) borderWhite++;
      }
    }
  }
  return result([
    size,
    metric('coverage', 'Share of non-white pixels (the target)', nonWhite / (width * height), { min: t.minCoverage, max: t.maxCoverage }),
    metric('borderWhite', 'Share of the border that is white', borderWhite / border, { min: t.borderWhite }),
  ]);
}

/** REMOVE: outside the mask the plate matches the input (no shift, no crop); inside, something changed. */
export function checkCleanPlate(output: Raster, input: Raster, mask: Raster | undefined, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  if (!size.pass) return result([size]);
  const { width, height } = input;
  const a = output.data;
  const b = input.data;
  const ca = output.channels;
  const cb = input.channels;
  let outsideSum = 0;
  let outside = 0;
  let inside = 0;
  let changedInside = 0;
  let changed = 0;
  const m = mask?.data;
  // sums of the three channel differences (÷ 3 once at the end); "changed" is a mean difference above 24
  for (let p = 0, i = 0, j = 0, n = width * height; p < n; p++, i += ca, j += cb) {
    let d = a[i]! - b[j]!;
    let sum = d < 0 ? -d : d;
    d = a[i + 1]! - b[j + 1]!;
    sum += d < 0 ? -d : d;
    d = a[i + 2]! - b[j + 2]!;
    sum += d < 0 ? -d : d;
    const isChanged = sum > 72;
    if (isChanged) changed++;
    if (m !== undefined && m[p]! >= 128) {
      inside++;
      if (isChanged) changedInside++;
    } else {
      outside++;
      outsideSum += sum;
    }
  }
  outsideSum /= 3;
  const metrics = [size];
  if (mask) {
    metrics.push(metric('outsideDiff', 'Mean difference from the input outside the mask', outside ? outsideSum / outside : 0, { max: t.plateTolerance, unit: '/255' }));
    metrics.push(metric('changedInside', 'Share of the masked area that changed', inside ? changedInside / inside : 0, { min: t.minChange }));
  } else {
    metrics.push(metric('changed', 'Share of the picture that changed', changed / (width * height), { min: 0.001, max: t.maxCoverage }));
  }
  return result(metrics);
}

/** BG_REMOVE: a transparent PNG of the input's size whose opaque share is within range. */
export function checkBackgroundRemoval(output: Raster, input: { width: number; height: number }, t: StepThresholds): CheckResult {
  const size = sizeMetric(output, input);
  const alpha = metric('transparent', 'Has transparency', output.channels === 4 ? 1 : 0, { min: 1 });
  if (!size.pass || !alpha.pass) return result([size, alpha]);
  let opaque = 0;
  const { data } = output;
  for (let i = 3; i < data.length; i += 4) if (data[i]! >= 128) opaque++;
  return result([size, alpha, metric('coverage', 'Share of opaque pixels (the foreground)', opaque / (output.width * output.height), { min: t.minCoverage, max: t.maxCoverage })]);
}

/** REFRAME: the canvas at the target aspect, the original pixels exactly where they were. */
export function checkReframe(output: Raster, input: Raster, at: { left: number; top: number }, aspect: number, t: StepThresholds): CheckResult {
  const ratio = output.width / output.height;
  const aspectMetric = metric('aspect', 'Aspect ratio (width ÷ height)', ratio, { min: aspect * 0.98, max: aspect * 1.02 });
  const fits = at.left + input.width <= output.width && at.top + input.height <= output.height;
  const holds = metric('holdsOriginal', 'The canvas holds the original', fits ? 1 : 0, { min: 1 });
  if (!fits) return result([aspectMetric, holds]);
  let sum = 0;
  const ca = output.channels;
  const cb = input.channels;
  for (let y = 0; y < input.height; y++) {
    let i = ((y + at.top) * output.width + at.left) * ca;
    let j = y * input.width * cb;
    for (let x = 0; x < input.width; x++, i += ca, j += cb) {
      sum += Math.abs(output.data[i]! - input.data[j]!) + Math.abs(output.data[i + 1]! - input.data[j + 1]!) + Math.abs(output.data[i + 2]! - input.data[j + 2]!);
    }
  }
  return result([aspectMetric, holds, metric('originalDiff', 'Mean difference on the original pixels', sum / (3 * input.width * input.height), { max: t.plateTolerance, unit: '/255' })]);
}
