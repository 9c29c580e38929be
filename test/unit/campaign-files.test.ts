// The campaign's files without a stack: a 40-scene flowchart (SVG by Graphviz WASM, PNG by sharp, saved under the
// test output to be looked at), Mermaid text, the Markdown pack's links, the handout, and Markdown to safe HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { renderFlowchart } from '../../activities/campaign/flowchart.ts';
import { packMarkdown } from '../../activities/campaign/pack-markdown.ts';
import { handoutHtml } from '../../activities/campaign/handout.ts';
import { markdownToHtml } from '../../core/markdown.ts';
import { campaignInputSchema } from '../../core/campaign/premise.ts';
import { scenesOf } from '../../workflows/campaign-outline.ts';
import { brokenLinks } from '../support/campaigns.ts';
import { standinOutline } from '../fixtures/campaign-outlines.ts';

const OUTPUT = process.env.ATELIER_TEST_OUTPUT ?? 'test-output';
const decode = (svg: string) => svg.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

test('a 40-scene flowchart renders: every scene a node with its title, acts as clusters, conditions on edges; the PNG is saved to look at', async () => {
  const outline = standinOutline({ scenes: 40, acts: 5, seed: 7 });
  const drawn = await renderFlowchart(outline);
  const svg = decode(drawn.svg);
  const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ');
  for (const scene of scenesOf(outline)) {
    assert.ok(svg.includes(`<g id="${scene.id}" class="node">`), scene.id);
    for (const word of scene.title.split(' ')) assert.ok(labels.includes(word), `${scene.id}: ${word}`);
  }
  assert.equal((svg.match(/class="cluster"/g) ?? []).length, 5, 'one cluster per act');
  for (const act of outline.acts) assert.ok(labels.includes(act.title), act.title);
  const edges = scenesOf(outline).reduce((n, s) => n + s.exits.length, 0);
  assert.equal((svg.match(/class="edge"/g) ?? []).length, edges);
  assert.ok(labels.includes('if the party refuses the'), 'conditions label the edges');
  assert.match(svg, /fill="#f6d5d1"/, 'combat scenes have their colour');

  const meta = await sharp(drawn.png).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! > 3000 && meta.height! > 1500, `${meta.width}×${meta.height}: large enough to read every label`);
  assert.ok(meta.width! / meta.height! < 4, 'acts side by side, not one long strip');
  fs.mkdirSync(OUTPUT, { recursive: true });
  fs.writeFileSync(path.join(OUTPUT, 'campaign-flowchart-40.png'), drawn.png);
  await sharp(drawn.png).resize({ width: 1600 }).toFile(path.join(OUTPUT, 'campaign-flowchart-40-overview.png'));

  assert.match(drawn.mermaid, /^flowchart TD\n/);
  assert.equal((drawn.mermaid.match(/^\s+subgraph /gm) ?? []).length, 5);
  assert.equal((drawn.mermaid.match(/-->\|/g) ?? []).length, edges);
  for (const scene of scenesOf(outline)) assert.match(drawn.mermaid, new RegExp(`^    ${scene.id.replace(/-/g, '_')}[\\[({]`, 'm'));
});

test('titles with quotes and backslashes do not break the DOT or the Mermaid text', async () => {
  const outline = standinOutline({ scenes: 8, acts: 2 });
  outline.acts[0]!.scenes[0]!.title = 'The "Quoted" Door \\ and <b>tags</b>';
  outline.acts[0]!.scenes[0]!.exits[0]!.condition = 'if "they" say so';
  const drawn = await renderFlowchart(outline);
  assert.match(decode(drawn.svg), /The "Quoted" Door \\ and &lt;b&gt;tags&lt;\/b&gt;|The &quot;Quoted&quot;/);
  assert.ok(!drawn.mermaid.includes('"Quoted"'), 'quotes are escaped in Mermaid labels');
});

test("the pack's Markdown: an index and one file per act, every link and image resolves to a file and anchor", () => {
  const outline = standinOutline({ scenes: 12, acts: 3 });
  const premise = campaignInputSchema.parse({ premise: 'A lighthouse keeper vanished in the fog.', contentLimits: 'no harm to children' });
  const chapters = new Map(scenesOf(outline).map((s) => [s.id, `## Read-aloud\n\n> You stand at ${s.title}.\n\n## Consequences\n\n- onward`]));
  const images = new Map([[`scene-${outline.acts[0]!.scenes[0]!.id}`, 'images/one.png'], [`npc-${outline.npcs[0]!.id}`, 'images/two.png']]);
  const files = packMarkdown({ outline, premise, chapters, images, hasFlowchart: true });
  assert.deepEqual(files.map((f) => f.name), ['README.md', 'act-1.md', 'act-2.md', 'act-3.md']);
  const entries = [...files.map((f) => ({ name: `pack/${f.name}`, data: Buffer.from(f.text), compressionMethod: 8 })),
    ...['flowchart.png', 'flowchart.svg', 'flowchart.mmd', 'images/one.png', 'images/two.png'].map((name) => ({ name: `pack/${name}`, data: Buffer.from('x'), compressionMethod: 0 }))];
  assert.deepEqual(brokenLinks(entries), []);
  const act1 = files[1]!.text;
  assert.match(act1, /^### Read-aloud$/m, "a chapter's headings sit below its scene's");
  assert.match(files[0]!.text, /## Content limits\n\nno harm to children/);
  // a missing act file is caught by the same check
  assert.ok(brokenLinks(entries.filter((e) => !e.name.endsWith('act-2.md'))).some((b) => b.includes('act-2.md')));
});

test('the handout is one self-contained printable HTML file; Markdown from a model cannot inject HTML', () => {
  const outline = standinOutline({ scenes: 8, acts: 2 });
  outline.npcs[0]!.name = '<script>alert(1)</script>';
  const premise = campaignInputSchema.parse({ premise: 'A lighthouse keeper vanished in the fog.' });
  const chapters = new Map([[outline.acts[0]!.scenes[0]!.id, '## GM notes\n\n<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** [next](#scene-2)']]);
  const html = handoutHtml({ outline, premise, chapters, images: new Map([['npc-' + outline.npcs[1]!.id, { bytes: Buffer.from('jpeg'), mime: 'image/jpeg' }]]), flowchartSvg: '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg viewBox="0 0 1 1"></svg>' });
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<link|<img src=x|href="javascript|<\?xml|<!DOCTYPE svg/);
  assert.match(html, /&lt;script&gt;/);
  assert.match(html, /<h4>GM notes<\/h4>/);
  assert.match(html, /<strong>bold<\/strong> <a href="#scene-2">next<\/a>/);
  assert.match(html, /src="data:image\/jpeg;base64,/);
  assert.match(html, /@media print/);
  assert.equal(markdownToHtml('> boxed **text**\n> more\n\n1. one\n2. two'), '<blockquote><p>boxed <strong>text</strong> more</p></blockquote>\n<ol><li>one</li><li>two</li></ol>');
});
