// The pages and the paths they live at. `open` pages work without signing in.
import type { Component } from 'svelte';
import JobsPage from './pages/jobs/JobsPage.svelte';
import JobPage from './pages/job/JobPage.svelte';
import GeneratePage from './pages/generate/GeneratePage.svelte';
import HealthPage from './pages/health/HealthPage.svelte';
import CharactersPage from './pages/lora/CharactersPage.svelte';
import CharacterPage from './pages/lora/CharacterPage.svelte';
import DatasetPage from './pages/lora/DatasetPage.svelte';
import TrainingPage from './pages/lora/TrainingPage.svelte';
import TrainingJobPage from './pages/lora/TrainingJobPage.svelte';
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
  { pattern: '/characters', view: CharactersPage, title: () => 'Characters' },
  { pattern: '/characters/:id', view: CharacterPage, title: () => 'Character' },
  { pattern: '/dataset', view: DatasetPage, title: () => 'Dataset' },
  { pattern: '/training', view: TrainingPage, title: () => 'Training' },
  { pattern: '/training/:id', view: TrainingJobPage, title: (p) => `Training ${p.id}` },
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
