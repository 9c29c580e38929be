// The Express app: /api (JSON, bearer token or cookie) and the built Svelte UI at /.
import express from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiContext } from './context.ts';
import { requireToken } from './auth.ts';
import { correlation } from './correlation.ts';
import { errorHandler, unknownRoute } from './errors.ts';
import { refuseUnstorableText } from './text-input.ts';
import { healthRoutes } from './routes/health.ts';
import { sessionRoutes } from './routes/session.ts';
import { jobRoutes } from './routes/jobs.ts';
import { eventRoutes } from './routes/events.ts';
import { assetRoutes } from './routes/assets.ts';
import { templateRoutes } from './routes/templates.ts';
import { generateRoutes } from './routes/generate.ts';
import { debugBundleRoutes } from './routes/debug-bundle.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { reviewRoutes } from './routes/review.ts';
import { characterRoutes } from './routes/characters.ts';
import { datasetRoutes } from './routes/dataset.ts';
import { loraRoutes } from './routes/loras.ts';
import { loraContext } from './lora-context.ts';
import { spriteRoutes } from './routes/sprites.ts';
import { mcpRoutes } from './routes/mcp.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { sceneRoutes } from './routes/scenes.ts';
import { poolRoutes } from './routes/pools.ts';

export const UI_DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'ui', 'dist');

export function createApp(ctx: ApiContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'connect-src': ["'self'"] } } }));
  app.use(correlation(ctx.logger));
  app.use(cookieParser());

  const api = express.Router();
  api.use(express.json({ limit: '256kb', strict: false }));
  api.use(refuseUnstorableText);
  api.use(healthRoutes(ctx));
  api.use(sessionRoutes(ctx));
  api.use(requireToken(ctx.token));
  api.get('/session', (_req, res) => void res.json({ signedIn: true }));
  api.use(jobRoutes(ctx), eventRoutes(ctx), assetRoutes(ctx), templateRoutes(ctx), generateRoutes(ctx), uploadRoutes(ctx), reviewRoutes(ctx), sceneRoutes(ctx), campaignRoutes(ctx), debugBundleRoutes(ctx), spriteRoutes(ctx), mcpRoutes(ctx), poolRoutes(ctx));
  const lora = loraContext(ctx);
  api.use(characterRoutes(ctx, lora), datasetRoutes(ctx, lora), loraRoutes(ctx, lora));
  api.use(unknownRoute);
  app.use('/api', api);

  app.use('/assets', express.static(path.join(UI_DIST, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use(express.static(UI_DIST, { index: false, maxAge: 0 }));
  app.get('/{*path}', (_req, res, next) => {
    const index = path.join(UI_DIST, 'index.html');
    if (!fs.existsSync(index)) return void res.status(404).type('text/plain').send('The web UI is not built: run `npm run build:ui` (npm start builds it).');
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index, (error) => error && next(error));
  });
  app.use(errorHandler(ctx.logger, ctx.config.temporal.address ?? '(not set)'));
  return app;
}
