// Every pipeline's workflow, for the worker's bundle.
export { generateWorkflow } from './generate.ts';
export { loraWorkflow } from './lora.ts';
export { loraSynthesisWorkflow, loraCaptionsWorkflow } from './lora-synthesis.ts';
export { spritesWorkflow } from './sprites.ts';
export { spritesDeployWorkflow } from './sprites-deploy.ts';
export { sceneWorkflow } from './scene.ts';
export { campaignWorkflow } from './campaign.ts';
export { campaignIllustrationWorkflow } from './campaign-illustration.ts';
