// The scene graph as a picture: Graphviz (compiled to WebAssembly, no browser) draws the SVG, sharp rasterises it
// to PNG, and the same graph is written as Mermaid text. Acts are clusters, conditions label the edges, a scene's
// kind sets its shape and colour, endings have a double border; each node's SVG id is its scene id (the UI clicks it).
import { instance, type Viz } from '@viz-js/viz';
import sharp from 'sharp';
import { scenesOf, type Outline, type SceneKind } from '../../workflows/campaign-outline.ts';

export const KIND_STYLE: Record<SceneKind, { shape: string; fill: string; line: string; label: string }> = {
  combat: { shape: 'box', fill: '#f6d5d1', line: '#a8322d', label: 'combat' },
  social: { shape: 'ellipse', fill: '#d6e4f5', line: '#2f5f9e', label: 'social' },
  exploration: { shape: 'hexagon', fill: '#d8eed5', line: '#3b7a35', label: 'exploration' },
  puzzle: { shape: 'octagon', fill: '#e9dcf3', line: '#6b3fa0', label: 'puzzle' },
  downtime: { shape: 'note', fill: '#ece8dc', line: '#6d6650', label: 'downtime' },
};

/** a DOT string literal */
const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;

/** breaks text into lines of about `width` characters, at most `lines` of them */
export function wrap(text: string, width: number, lines = 3): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  if (out.length > lines) return [...out.slice(0, lines - 1), `${out.slice(lines - 1).join(' ').slice(0, width - 1)}…`].join('\n');
  return out.join('\n');
}

export function flowchartDot(outline: Outline): string {
  const scenes = scenesOf(outline);
  const lines = [
    'digraph campaign {',
    `  graph [rankdir=TB, fontname="DejaVu Sans", fontsize=18, labelloc=t, label=${quote(outline.title)}, nodesep=0.35, ranksep=0.45, newrank=true, pad=0.3, bgcolor="white"];`,
    '  node [fontname="DejaVu Sans", fontsize=13, style="filled", penwidth=1.6, margin="0.14,0.06"];',
    '  edge [fontname="DejaVu Sans", fontsize=10, color="#555555", fontcolor="#333333", arrowsize=0.8];',
  ];
  for (const [a, act] of outline.acts.entries()) {
    lines.push(`  subgraph cluster_act_${a + 1} {`, `    label=${quote(act.title)}; style="rounded,filled"; fillcolor="${a % 2 ? '#f7f7f2' : '#f2f4f8'}"; color="#9aa0ad"; fontsize=15;`);
    for (const scene of act.scenes) {
      const style = KIND_STYLE[scene.kind] ?? KIND_STYLE.exploration;
      const ending = scene.ending ? ', peripheries=2' : '';
      lines.push(`    ${quote(scene.id)} [id=${quote(scene.id)}, label=${quote(`${wrap(scene.title, 22, 2)}\n${style.label}${scene.ending ? ' · ending' : ''}`)}, shape=${style.shape}, fillcolor="${style.fill}", color="${style.line}", tooltip=${quote(scene.summary.slice(0, 200))}${ending}];`);
    }
    lines.push('  }');
  }
  // edges between acts do not set ranks: each act is laid out from the top, side by side, so a long campaign
  // is a few columns instead of one tall chain
  const actOf = new Map(scenes.map((s) => [s.id, s.act.id]));
  for (const scene of scenes) {
    for (const exit of scene.exits) {
      if (!actOf.has(exit.to)) continue;
      const across = actOf.get(exit.to) !== scene.act.id;
      lines.push(`  ${quote(scene.id)} -> ${quote(exit.to)} [label=${quote(wrap(exit.condition, 24, 3))}${across ? ', constraint=false, style=dashed, color="#7a6a9a"' : ''}];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
const mermaidText = (text: string) => text.replace(/"/g, '#quot;').replace(/[\r\n]+/g, ' ');

export function flowchartMermaid(outline: Outline): string {
  const scenes = scenesOf(outline);
  const lines = ['flowchart TD'];
  for (const [a, act] of outline.acts.entries()) {
    lines.push(`  subgraph act_${a + 1}["${mermaidText(act.title)}"]`);
    for (const scene of act.scenes) {
      const label = `"${mermaidText(scene.title)}<br/><small>${scene.kind}${scene.ending ? ' · ending' : ''}</small>"`;
      const shape = scene.kind === 'social' ? `([${label}])` : scene.kind === 'exploration' ? `{{${label}}}` : scene.kind === 'puzzle' ? `{${label}}` : `[${label}]`;
      lines.push(`    ${mermaidId(scene.id)}${shape}:::${scene.kind}`);
    }
    lines.push('  end');
  }
  const known = new Set(scenes.map((s) => s.id));
  for (const scene of scenes) for (const exit of scene.exits) if (known.has(exit.to)) lines.push(`  ${mermaidId(scene.id)} -->|"${mermaidText(exit.condition)}"| ${mermaidId(exit.to)}`);
  for (const [kind, style] of Object.entries(KIND_STYLE)) lines.push(`  classDef ${kind} fill:${style.fill},stroke:${style.line},color:#1d1d1d`);
  return lines.join('\n') + '\n';
}

let viz: Promise<Viz> | undefined;

export async function renderFlowchart(outline: Outline): Promise<{ svg: string; png: Buffer; mermaid: string; width: number; height: number }> {
  viz ??= instance();
  const result = (await viz).render(flowchartDot(outline), { format: 'svg' });
  if (result.status !== 'success') throw new Error(`Graphviz could not draw the flowchart: ${result.errors.map((e) => e.message).join('; ')}`);
  const svg = result.output;
  // twice the SVG's point size: labels stay readable when the picture is printed or zoomed
  const image = sharp(Buffer.from(svg), { density: 144, limitInputPixels: 400_000_000 }).flatten({ background: '#ffffff' });
  const png = await image.png({ compressionLevel: 9 }).toBuffer();
  const meta = await sharp(png).metadata();
  return { svg, png, mermaid: flowchartMermaid(outline), width: meta.width ?? 0, height: meta.height ?? 0 };
}
