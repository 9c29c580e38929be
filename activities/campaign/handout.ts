// The printable handout: one self-contained HTML file (styles inline, images as data: URLs, the flowchart as inline
// SVG) with a title page, the hook, the flowchart, every act and scene with its chapter, NPCs and locations.
import { scenesOf, type Outline } from '../../workflows/campaign-outline.ts';
import type { CampaignPremise } from '../../core/campaign/premise.ts';
import { escapeHtml as esc, markdownToHtml } from '../../core/markdown.ts';

export interface HandoutContent {
  outline: Outline;
  premise: CampaignPremise;
  chapters: Map<string, string>;
  /** target → image bytes (PNG or JPEG) */
  images: Map<string, { bytes: Buffer; mime: string }>;
  flowchartSvg?: string;
}

const STYLE = `
  @page { size: A4; margin: 16mm 15mm; }
  body { font: 11pt/1.5 "DejaVu Serif", Georgia, serif; color: #1d1d1d; max-width: 820px; margin: 0 auto; padding: 24px; }
  h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2; }
  h1 { font-size: 26pt; margin: 0 0 8px; } h2 { font-size: 17pt; border-bottom: 2px solid #7b2d26; padding-bottom: 4px; margin-top: 28px; }
  h3 { font-size: 13.5pt; color: #7b2d26; margin-top: 22px; } h4 { font-size: 11.5pt; margin-bottom: 4px; }
  .title-page { min-height: 60vh; display: flex; flex-direction: column; justify-content: center; }
  .meta { color: #555; font-style: italic; }
  blockquote { margin: 10px 0; padding: 10px 14px; background: #f3ecdc; border-left: 4px solid #a47d3b; }
  .scene { break-inside: auto; margin-bottom: 18px; }
  .scene-meta { color: #555; font-size: 10pt; }
  .act { break-before: page; }
  figure { margin: 10px 0; text-align: center; } figure img { max-width: 100%; max-height: 90mm; border-radius: 4px; }
  .flowchart svg { width: 100%; height: auto; }
  .npc { display: grid; grid-template-columns: 110px 1fr; gap: 12px; align-items: start; break-inside: avoid; margin: 12px 0; }
  .npc img { width: 110px; border-radius: 4px; }
  .exits li { margin: 2px 0; }
  a { color: #7b2d26; }
  @media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } .flowchart { break-before: page; } }
`;

const dataUrl = (image: { bytes: Buffer; mime: string }) => `data:${image.mime};base64,${image.bytes.toString('base64')}`;
/** the SVG without its XML prolog and doctype, so it sits inside the HTML */
const inlineSvg = (svg: string) => svg.replace(/^[\s\S]*?(<svg[\s>])/, '$1');

export function handoutHtml(content: HandoutContent): string {
  const { outline, premise } = content;
  const scenes = scenesOf(outline);
  const figure = (target: string, caption: string) => {
    const image = content.images.get(target);
    return image ? `<figure><img src="${dataUrl(image)}" alt="${esc(caption)}"><figcaption>${esc(caption)}</figcaption></figure>` : '';
  };
  const titleOf = (id: string) => scenes.find((s) => s.id === id)?.title ?? id;
  const nameOf = (id: string) => outline.npcs.find((n) => n.id === id)?.name ?? id;
  const acts = outline.acts.map((act) => `
    <section class="act" id="${esc(act.id)}">
      <h2>${esc(act.title)}</h2>
      <p>${esc(act.summary)}</p>
      ${act.scenes.map((scene, i) => `
      <article class="scene" id="${esc(scene.id)}">
        <h3>${i + 1}. ${esc(scene.title)}</h3>
        <p class="scene-meta">${esc(scene.kind)} · ${esc(outline.locations.find((l) => l.id === scene.location)?.name ?? scene.location)}${scene.npcs.length ? ` · with ${scene.npcs.map((n) => `<a href="#${esc(n)}">${esc(nameOf(n))}</a>`).join(', ')}` : ''}</p>
        ${figure(`scene-${scene.id}`, scene.title)}
        <p>${esc(scene.summary)}</p>
        ${scene.encounter ? `<p><strong>Encounter (${esc(scene.encounter.difficulty)}):</strong> ${scene.encounter.creatures.map((c) => `${c.count} × ${esc(c.name)} (CR ${c.challenge})`).join(', ')}</p>` : ''}
        ${scene.rewards.length ? `<p><strong>Rewards:</strong> ${scene.rewards.map(esc).join('; ')}</p>` : ''}
        ${markdownToHtml(content.chapters.get(scene.id) ?? '*The chapter for this scene was not written.*', { shift: 2 })}
        <h4>Where next</h4>
        <ul class="exits">
          ${scene.exits.map((e) => `<li><a href="#${esc(e.to)}">${esc(titleOf(e.to))}</a> — ${esc(e.condition)}</li>`).join('')}
          ${scene.ending ? `<li><strong>The campaign ends here:</strong> ${esc(scene.ending)}</li>` : ''}
        </ul>
      </article>`).join('')}
    </section>`).join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(outline.title)} — campaign handout</title>
<style>${STYLE}</style>
</head>
<body>
<header class="title-page">
  <h1>${esc(outline.title)}</h1>
  <p class="meta">A campaign for ${premise.partySize} characters of level ${premise.level}, about ${premise.sessions} session${premise.sessions === 1 ? '' : 's'}${premise.tone ? ` · ${esc(premise.tone)}` : ''}</p>
  <h2>Hook</h2>
  <p>${esc(outline.hook)}</p>
  ${premise.contentLimits ? `<h2>Content limits</h2><p>${esc(premise.contentLimits)}</p>` : ''}
</header>
${content.flowchartSvg ? `<section class="flowchart"><h2>Flowchart</h2>${inlineSvg(content.flowchartSvg)}</section>` : ''}
${acts}
<section class="act" id="npcs">
  <h2>NPCs</h2>
  ${outline.npcs.map((n) => {
    const image = content.images.get(`npc-${n.id}`);
    return `<div class="npc" id="${esc(n.id)}">${image ? `<img src="${dataUrl(image)}" alt="${esc(n.name)}">` : '<span></span>'}<div><h3>${esc(n.name)}</h3><p><strong>Role:</strong> ${esc(n.role)}<br><strong>Motive:</strong> ${esc(n.motive)}<br><strong>Secret:</strong> ${esc(n.secret)}</p></div></div>`;
  }).join('')}
  <h2>Locations</h2>
  ${outline.locations.map((l) => `<h3 id="${esc(l.id)}">${esc(l.name)}</h3><p>${esc(l.description)}</p>`).join('')}
</section>
</body>
</html>
`;
}
