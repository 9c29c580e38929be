// The pages and the paths they live at. `open` pages work without signing in.
import type { Component } from 'svelte';
import JobsPage from './pages/jobs/JobsPage.svelte';
import JobPage from './pages/job/JobPage.svelte';
import GeneratePage from './pages/generate/GeneratePage.svelte';
import HealthPage from './pages/health/HealthPage.svelte';
import SpritesPage from './pages/sprites/SpritesPage.svelte';
import SpriteJobPage from './pages/sprites/SpriteJobPage.svelte';

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
  { pattern: '/health', view: HealthPage, title: () => 'Health', open: true },
];
