// The `mcp` role (infra/roles.ts): the MCP server over streamable HTTP as a process of its own, POST /api/mcp on
// ATELIER_MCP_PORT behind the API's bearer token, its tools calling the API at ATELIER_URL (as the CLI does). With
// `npm start` the API serves the same endpoint itself; this process is for a cluster that runs MCP apart.
import express from 'express';
import { loadConfigOrExit } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { exitWithLauncher } from '../core/lifecycle.ts';
import { resolveApiToken, requireToken } from '../api/auth.ts';
import { correlation } from '../api/correlation.ts';
import { errorHandler, unknownRoute } from '../api/errors.ts';
import { apiClient, apiTarget } from '../cli/api-client.ts';
import { mcpHttpRouter } from './http-router.ts';

const config = loadConfigOrExit();
exitWithLauncher();
const logger = createLogger({ service: 'mcp', dataDir: config.dataDir, level: config.logLevel });
const { token } = resolveApiToken(config.dataDir, config.api.token);
const target = apiTarget();
const api = apiClient({ ...target, token: target.token ?? token });

const app = express();
app.disable('x-powered-by');
app.use(correlation(logger));
const routes = express.Router();
routes.use(express.json({ limit: '256kb', strict: false }));
routes.use(requireToken(token));
routes.use(mcpHttpRouter({ api, publicUrl: config.api.publicUrl ?? target.url }));
routes.use(unknownRoute);
app.use('/api', routes);
app.use(unknownRoute);
app.use(errorHandler(logger, config.temporal.address ?? '(not used by the MCP server)'));

const server = app.listen(config.mcpPort, config.api.host, () => logger.info({ port: config.mcpPort, api: target.url }, 'MCP server listening'));
server.on('error', (error) => {
  logger.fatal({ err: error.message }, `the MCP server cannot listen on ${config.api.host}:${config.mcpPort}: set ATELIER_MCP_PORT to a free port`);
  process.exit(1);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
