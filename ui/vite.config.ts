// Builds the Svelte SPA into ui/dist (served by the API); `npm run dev:ui` proxies /api to a running API.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: { '/api': { target: process.env.ATELIER_URL ?? 'http://127.0.0.1:8420' } },
  },
});
