// The scene planner's and the ANALYZE step's replies (json_schema `scene_plan`, `scene_analysis`), made from what the
// stand-in sees: for each object (a region of one colour) an EXTRACT then a REMOVE with an AUTO mask; a REFRAME when
// the person asks for an aspect ratio, an ANALYZE when they ask for an analysis, a BG_REMOVE for a cut-out.
import type { ReplyGenerator } from './index.ts';
import type { ChatView } from './request.ts';
import { findObjects, type FoundObject } from './objects.ts';
import { describeLook, lookAt } from './vision.ts';

function extractStep(o: FoundObject) {
  const c = o.colour;
  return {
    id: `extract-${c}`, type: 'EXTRACT', target: `the ${c} shape`,
    prompt: `The ${c} shape alone on a plain white background, exactly where it is and at the same size`,
    variations: [`Isolate the ${c} shape on solid white #FFFFFF, keeping its position`, `Extract only the ${c} object onto a white background`, `The ${c} object by itself on pure white, nothing else`],
    mask: 'NONE',
    thresholds: { minCoverage: Math.round(o.share * 0.5 * 1000) / 1000, maxCoverage: Math.min(1, Math.round((o.share * 1.6 + 0.01) * 1000) / 1000) },
  };
}

function removeStep(o: FoundObject) {
  const c = o.colour;
  return {
    id: `remove-${c}`, type: 'REMOVE', target: `the ${c} shape`,
    prompt: `Remove the ${c} shape and fill in the background behind it (clean plate)`,
    variations: [`Erase the ${c} shape; continue the background where it was`, `Clean plate: the scene without the ${c} object`, `Remove the ${c} object, leave everything else untouched`],
    mask: 'AUTO', maskDilate: 4, thresholds: { plateTolerance: 6, minChange: 0.2 },
  };
}

async function plan(view: ChatView) {
  const image = view.images[0];
  if (!image) return { summary: 'No picture was sent.', globalRules: [], steps: [] };
  const asks = view.user.toLowerCase();
  const { objects, background } = await findObjects(image, 2);
  const look = await lookAt(image);
  const steps: unknown[] = [];
  if (/analy[sz]/.test(asks)) {
    steps.push({ id: 'analyze', type: 'ANALYZE', target: 'the whole picture', prompt: 'Describe the picture and locate its objects', variations: ['What is in this picture, and where?', 'List the objects with their positions', 'Describe the scene and where each thing sits'], mask: 'NONE', thresholds: {} });
  }
  for (const o of objects) steps.push(extractStep(o), removeStep(o));
  if (/cut[- ]?out|transparent/.test(asks) && objects[0]) {
    steps.push({ id: 'cutout', type: 'BG_REMOVE', target: 'the foreground', prompt: 'The foreground on a transparent background', variations: ['Remove the background, keep the foreground', 'Cut out the subject onto transparency', 'Transparent background, subject kept'], mask: 'NONE', thresholds: { minCoverage: 0.005, maxCoverage: 0.95 } });
  }
  const aspect = /\b([1-9]\d?):([1-9]\d?)\b/.exec(asks);
  if (aspect) {
    steps.push({ id: 'reframe', type: 'REFRAME', target: 'the canvas', aspect: `${aspect[1]}:${aspect[2]}`, prompt: `Extend the background to a ${aspect[1]}:${aspect[2]} frame, keeping the picture as it is`, variations: [`Outpaint the sides to ${aspect[1]}:${aspect[2]}`, `Widen the scene to ${aspect[1]}:${aspect[2]} and continue the background`, `Extend the canvas to ${aspect[1]}:${aspect[2]}, nothing new in the middle`], mask: 'NONE', thresholds: { plateTolerance: 2 } });
  }
  if (!steps.length) steps.push(extractStep({ colour: look.colours[1] ?? 'grey', share: 0.2, box: { left: 0, top: 0, width: 1, height: 1 } }));
  return {
    summary: `${describeLook(look)}: ${objects.length ? objects.map((o) => `a ${o.colour} shape`).join(' and ') : 'no distinct object'} on a ${background} background.`,
    globalRules: ['Keep every pixel outside the edited area unchanged', 'Every layer keeps the size of the picture'],
    steps,
  };
}

async function analysis(view: ChatView) {
  const image = view.images[0];
  if (!image) return { description: 'No picture was sent.', objects: [] };
  const { objects, background } = await findObjects(image, 5);
  const look = await lookAt(image);
  return {
    description: `${describeLook(look)} with ${objects.map((o) => `a ${o.colour} shape`).join(', ') || 'nothing in particular'} on ${background}.`,
    objects: objects.map((o) => ({ name: `${o.colour} shape`, box: [o.box.left, o.box.top, o.box.width, o.box.height].map((v) => Math.round(v * 1000) / 1000) })),
  };
}

export const sceneReplies: ReplyGenerator[] = [
  { name: 'scene-plan', matches: (view) => view.schema?.name === 'scene_plan', reply: plan },
  { name: 'scene-analysis', matches: (view) => view.schema?.name === 'scene_analysis', reply: analysis },
];
