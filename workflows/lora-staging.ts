// Staged images wait for a person through the shared review loop: keep or discard, one by one or all at once (a
// decision without assetIds is about every image still waiting). Kept ones join the character's dataset with their
// caption (editable in the decision's edits: {"captions": {"<asset id>": "…"}}).
import type { ReviewLoop } from './review.ts';
import type { ReviewDecision } from './messages.ts';
import type { StagedSample } from './lora-state.ts';

const BAD_CAPTION = /[/\\\u0000-\u001f\u007f]/;

function editedCaptions(decision: ReviewDecision): Record<string, string> {
  const captions = (decision.edits as { captions?: unknown } | undefined)?.captions;
  return captions && typeof captions === 'object' ? (captions as Record<string, string>) : {};
}

export async function stageSamples(review: ReviewLoop, staged: StagedSample[], options: { title: string; keep: (kept: StagedSample[]) => Promise<void>; onDecided?: () => void }): Promise<void> {
  const waiting = () => staged.filter((s) => !s.decision);
  while (waiting().length) {
    const open = waiting();
    const decision = await review.waitFor({
      stepId: 'staging', kind: 'samples', title: options.title,
      reason: `${open.length} image${open.length === 1 ? '' : 's'} staged: keep the good ones (they join the dataset with their caption), discard the rest`,
      decisions: ['keep', 'discard'],
      assets: open.map((s) => s.asset),
      detail: { captions: Object.fromEntries(open.map((s) => [s.asset.id, s.caption])), prompts: Object.fromEntries(open.map((s) => [s.asset.id, s.prompt])) },
    }, (d) => {
      const unknown = (d.assetIds ?? []).filter((id) => !open.some((s) => s.asset.id === id));
      if (unknown.length) return `not staged here (or already decided): ${unknown.join(', ')}; staged now: ${open.map((s) => s.asset.id).join(', ')}`;
      for (const [id, caption] of Object.entries(editedCaptions(d))) {
        if (typeof caption !== 'string' || !caption.trim() || caption.length > 1000 || BAD_CAPTION.test(caption)) return `the caption for ${id} must be plain text of 1–1000 characters without / or \\`;
      }
      return undefined;
    });
    const chosen = decision.assetIds?.length ? open.filter((s) => decision.assetIds!.includes(s.asset.id)) : open;
    const captions = editedCaptions(decision);
    for (const sample of chosen) {
      if (captions[sample.asset.id]) sample.caption = captions[sample.asset.id]!.trim();
    }
    if (decision.decision === 'keep') await options.keep(chosen);
    for (const sample of chosen) sample.decision = decision.decision === 'keep' ? 'keep' : 'discard';
    options.onDecided?.();
  }
}
