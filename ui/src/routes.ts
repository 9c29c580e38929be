// The pages and the paths they live at. `open` pages work without signing in.
import type { Component } from 'svelte';
import JobsPage from './pages/jobs/JobsPage.svelte';
import JobPage from './pages/job/JobPage.svelte';
import GeneratePage from './pages/generate/GeneratePage.svelte';
import HealthPage from './pages/health/HealthPage.svelte';
import SpritesPage from './pages/sprites/SpritesPage.svelte';
import SpriteJobPage from './pages/sprites/SpriteJobPage.svelte';
import ScenesPage from './pages/scenes/ScenesPage.svelte';
import ScenePage from './pages/scene/ScenePage.svelte';
import CampaignsPage from './pages/campaigns/CampaignsPage.svelte';
import NewCampaignPage from './pages/campaigns/NewCampaignPage.svelte';
import CampaignPage from './pages/campaign/CampaignPage.svelte';

export interface AppRoute {
  pattern: string;
  view: Component<any>;
  title: (params: Record<string, string>) => string;
  open?: boolean;
}

export const routes: readonly AppRoute[] = [
  { pattern: '/jobs', view: JobsPage, title: () => 'Jobs' },
  { pattern: '/jobs/:id', view: JobPage, title: (p) => `Job ${p.id}` },
  { pattern: '/generate', view: GeneratePage, title: () => 'Generate' },
  { pattern: '/sprites', view: SpritesPage, title: () => 'Sprites' },
  { pattern: '/sprites/:id', view: SpriteJobPage, title: (p) => `Sprites ${p.id}` },
  { pattern: '/scenes', view: ScenesPage, title: () => 'Scenes' },
  { pattern: '/scenes/:id', view: ScenePage, title: (p) => `Scene ${p.id}` },
  { pattern: '/campaigns', view: CampaignsPage, title: () => 'Campaigns' },
  { pattern: '/campaigns/new', view: NewCampaignPage, title: () => 'New campaign' },
  { pattern: '/campaigns/:id', view: CampaignPage, title: (p) => `Campaign ${p.id}` },
  { pattern: '/health', view: HealthPage, title: () => 'Health', open: true },
];
