// Every pipeline's workflow, for the worker's bundle.
export { generateWorkflow } from './generate.ts';
export { spritesWorkflow } from './sprites.ts';
export { spritesDeployWorkflow } from './sprites-deploy.ts';
