// The campaign pipeline's CPU activities (main worker): outline, chapters, illustration records, flowchart, export.
// Illustrations themselves run on the GPU workers through activities/comfy.ts.
import { outlineActivities } from './campaign/outline.ts';
import { chapterActivities } from './campaign/chapters.ts';
import { artworkActivities } from './campaign/artwork.ts';
import { fileActivities } from './campaign/files.ts';
import type { CampaignDeps } from './campaign/deps.ts';

export type { CampaignDeps } from './campaign/deps.ts';
export type { RegisteredCampaign, SettledOutline } from './campaign/outline.ts';
export type { WrittenChapter } from './campaign/chapters.ts';
export type { PlannedIllustration } from './campaign/artwork.ts';

export function campaignActivities(deps: CampaignDeps) {
  return { ...outlineActivities(deps), ...chapterActivities(deps), ...artworkActivities(deps), ...fileActivities(deps) };
}

export type CampaignActivities = ReturnType<typeof campaignActivities>;
