// The campaign pipeline's tools: a tabletop campaign pack from a premise, and what it holds.
import { z } from 'zod';
import { describeJob, guarded, imagePreview, text, waitForJob, type ToolModule } from './context.ts';

interface CampaignDetail {
  campaign: { jobId: string; title: string; outline: { title: string; hook: string; acts: { title: string; scenes: { id: string; title: string }[] }[]; npcs: unknown[] } | null; problems: string[] };
  job: { status: string } | null;
  chapters: { sceneId: string }[];
  illustrations: { label: string; assetId: string }[];
  links: { export: string | null; handout: string | null };
}

export const campaignTools: ToolModule = (server, ctx) => {
  server.registerTool('create_campaign', {
    title: 'Create a tabletop campaign',
    description: 'Starts a campaign job from a premise: an LLM outlines acts, scenes, branches, NPCs and locations, writes each scene\'s chapter, draws a flowchart '
      + 'and illustrations, and exports a pack (ZIP) and a printable handout. With reviewOutline the outline waits for review_step first. Follow with job_status or campaign_details.',
    inputSchema: {
      premise: z.string().min(10).max(4000).describe('The campaign in a few sentences: who, where, what is at stake.'),
      title: z.string().max(120).optional().describe('A title; the outline names the campaign when left out.'),
      tone: z.string().max(200).optional().describe('The tone, e.g. "grim and tense" or "light-hearted".'),
      setting: z.string().max(600).optional().describe('The world or place it is set in.'),
      partySize: z.number().int().min(1).max(10).optional().describe('Number of player characters (default 4).'),
      level: z.number().int().min(1).max(20).optional().describe('Starting character level (default 3).'),
      sessions: z.number().int().min(1).max(20).optional().describe('Planned sessions; about three scenes each (default 3).'),
      contentLimits: z.string().max(1000).optional().describe('Topics to leave out or keep off-screen.'),
      reviewOutline: z.boolean().default(false).describe('Wait for a person to approve (or edit) the outline before chapters are written.'),
      illustrate: z.enum(['none', 'key', 'all']).optional().describe('Which scenes get illustrations: none, key scenes (default) or all.'),
      project: z.string().max(64).optional().describe('A short project name that groups jobs.'),
      wait: z.enum(['none', 'review', 'finish']).default('none').describe('"none" answers at once (campaigns take a while); "review" waits for the outline review or the end; "finish" until the pack is written.'),
      timeoutSeconds: z.number().int().min(1).max(3600).default(900).describe('How long to wait at most.'),
    },
  }, guarded(async ({ wait, timeoutSeconds, ...body }, extra) => {
    const started = await ctx.api.post<{ id: string }>('/api/campaigns', body);
    const { detail, timedOut } = await waitForJob(ctx, started.id, wait, extra, timeoutSeconds);
    return { content: [text(`started ${started.id}${timedOut ? ` (not settled after ${timeoutSeconds} s: follow it with job_status)` : ''}\n${describeJob(detail, ctx.publicUrl)}`)] };
  }));

  server.registerTool('campaign_details', {
    title: 'A campaign\'s outline and pack',
    description: 'A campaign\'s outline (acts and scenes), how many chapters are written, a few illustrations as small previews, and the links of its pack and handout.',
    inputSchema: { id: z.string().min(1).max(200).describe('The campaign job id ("campaign-…").'), previews: z.number().int().min(0).max(8).default(2).describe('How many illustration previews to return.') },
    annotations: { readOnlyHint: true },
  }, guarded(async ({ id, previews }) => {
    const detail = await ctx.api.get<CampaignDetail>(`/api/campaigns/${encodeURIComponent(id)}`);
    const outline = detail.campaign.outline;
    const lines = [
      `campaign ${id}: ${detail.job?.status ?? 'unknown'} — ${outline?.title ?? detail.campaign.title}`,
      outline ? `hook: ${outline.hook}` : 'no outline yet',
      ...(outline?.acts ?? []).flatMap((act) => [`act: ${act.title}`, ...act.scenes.map((s) => `  ${s.id}: ${s.title}`)]),
      `${detail.chapters.length} chapter(s) written, ${detail.illustrations.length} illustration(s)`,
      ...detail.campaign.problems.map((p) => `problem: ${p}`),
      detail.links.export ? `pack: ${ctx.publicUrl}${detail.links.export}` : 'no pack yet',
      detail.links.handout ? `handout: ${ctx.publicUrl}${detail.links.handout}` : '',
    ];
    return { content: [text(lines.filter(Boolean).join('\n')), ...(await Promise.all(detail.illustrations.slice(0, previews).map((i) => imagePreview(ctx.api, i.assetId, { maxSide: 256 }))))] };
  }));
};
