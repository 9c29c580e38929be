// The campaign's files: the flowchart (SVG, PNG, Mermaid) and the export (a ZIP with the Markdown pack, the JSON,
// the flowchart and the images; the printable HTML handout beside it). Same names each time: a retry or a
// re-export after a regenerated picture overwrites them atomically.
import { ApplicationFailure } from '@temporalio/activity';
import sharp from 'sharp';
import { zipBuffer, type ZipEntry } from '../../core/zip.ts';
import { renderFlowchart } from './flowchart.ts';
import { packMarkdown } from './pack-markdown.ts';
import { handoutHtml } from './handout.ts';
import { loadPremise } from './outline.ts';
import { storeFile, type CampaignDeps } from './deps.ts';
import type { AssetRef } from '../../workflows/messages.ts';

const slugOf = (title: string) => title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'campaign';

export function fileActivities(deps: CampaignDeps) {
  async function campaignContent(jobId: string) {
    const { premise, outline, revision } = await loadPremise(deps, jobId);
    if (!outline) throw ApplicationFailure.nonRetryable(`campaign "${jobId}" has no outline`, 'NotFound');
    return { premise, outline, revision, row: (await deps.campaigns.get(jobId))! };
  }

  return {
    async drawFlowchart(input: { jobId: string }): Promise<AssetRef[]> {
      const { outline } = await campaignContent(input.jobId);
      const drawn = await renderFlowchart(outline);
      const svg = await storeFile(deps, input.jobId, 'exports', 'flowchart.svg', Buffer.from(drawn.svg), 'image/svg+xml', { width: drawn.width, height: drawn.height });
      const png = await storeFile(deps, input.jobId, 'exports', 'flowchart.png', drawn.png, 'image/png', { width: drawn.width, height: drawn.height });
      const mermaid = await storeFile(deps, input.jobId, 'exports', 'flowchart.mmd', Buffer.from(drawn.mermaid), 'text/plain; charset=utf-8');
      await deps.campaigns.setFiles(input.jobId, { svg: svg.id, png: png.id, mermaid: mermaid.id });
      await deps.emit(input.jobId, 'flowchart.drawn', { svg: svg.id, png: png.id, mermaid: mermaid.id, width: drawn.width, height: drawn.height }, { dedupeKey: `flowchart:${svg.id}:${png.id}:${drawn.svg.length}` });
      return [svg, png, mermaid];
    },

    async exportCampaign(input: { jobId: string }): Promise<AssetRef[]> {
      const { premise, outline, row } = await campaignContent(input.jobId);
      const chapters = new Map((await deps.campaigns.chapters(input.jobId)).map((c) => [c.sceneId, c.text]));
      const files = row.files ?? {};
      const read = async (assetId?: string) => {
        const asset = assetId ? await deps.assets.get(assetId) : undefined;
        return asset ? { asset, bytes: await deps.store.read(asset.relativePath) } : undefined;
      };
      const [svg, png, mermaid] = await Promise.all([read(files.svg), read(files.png), read(files.mermaid)]);
      const packImages = new Map<string, string>();
      const handoutImages = new Map<string, { bytes: Buffer; mime: string }>();
      const entries: ZipEntry[] = [];
      for (const illustration of await deps.campaigns.illustrations(input.jobId)) {
        const image = await read(illustration.assetId);
        if (!image) continue;
        const ext = image.asset.mime === 'image/jpeg' ? 'jpg' : 'png';
        const name = `images/${illustration.target}.${ext}`;
        packImages.set(illustration.target, name);
        entries.push({ name, data: image.bytes, store: true });
        // the handout carries smaller copies: it is one file to print or mail
        handoutImages.set(illustration.target, { bytes: await sharp(image.bytes).resize({ width: 900, withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer(), mime: 'image/jpeg' });
      }
      const handout = handoutHtml({ outline, premise, chapters, images: handoutImages, flowchartSvg: svg?.bytes.toString('utf8') });
      const markdown = packMarkdown({ outline, premise, chapters, images: packImages, hasFlowchart: Boolean(svg && png) });
      const json = JSON.stringify({ premise, outline, chapters: Object.fromEntries(chapters), illustrations: Object.fromEntries(packImages) }, null, 2);
      const folder = slugOf(outline.title);
      const all: ZipEntry[] = [
        ...markdown.map((m) => ({ name: m.name, data: m.text })),
        { name: 'campaign.json', data: json },
        ...(svg ? [{ name: 'flowchart.svg', data: svg.bytes }] : []),
        ...(png ? [{ name: 'flowchart.png', data: png.bytes, store: true }] : []),
        ...(mermaid ? [{ name: 'flowchart.mmd', data: mermaid.bytes }] : []),
        ...entries,
        { name: 'handout.html', data: handout },
      ].map((e) => ({ ...e, name: `${folder}/${e.name}` }));
      const zip = await storeFile(deps, input.jobId, 'exports', 'campaign-pack.zip', await zipBuffer(all), 'application/zip', { meta: { entries: all.length } });
      const html = await storeFile(deps, input.jobId, 'exports', 'handout.html', Buffer.from(handout), 'text/html; charset=utf-8');
      await deps.campaigns.setFiles(input.jobId, { zip: zip.id, handout: html.id });
      await deps.emit(input.jobId, 'export.ready', { zip: zip.id, handout: html.id, entries: all.length, chapters: chapters.size, images: packImages.size });
      return [zip, html];
    },
  };
}
