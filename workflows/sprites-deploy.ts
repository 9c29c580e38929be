// Deploying a finished sprites job's kept sprites into a Bevy project (or taking them out again), started by
// POST /api/sprites/:id/deploy|undeploy. Short: the API waits for its result.
import { proxyActivities } from '@temporalio/workflow';
import type { SpritesActivities } from '../activities/sprites.ts';
import type { BevyActivities } from '../activities/bevy.ts';
import type { DeploymentSummary } from './sprites-state.ts';

const records = proxyActivities<SpritesActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 5 } });
const bevy = proxyActivities<BevyActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 5 } });

export interface SpritesDeployInput {
  /** the sprites job whose kept sprites are deployed */
  jobId: string;
  /** the Bevy project folder (absolute, inside ATELIER_BEVY_ROOTS) */
  project: string;
  action?: 'deploy' | 'undeploy';
  force?: boolean;
  /** the plan only: what each file would become, nothing written */
  dryRun?: boolean;
}

export async function spritesDeployWorkflow(input: SpritesDeployInput): Promise<DeploymentSummary> {
  const common = { jobId: input.jobId, project: input.project, force: input.force ?? false, dryRun: input.dryRun ?? false };
  if (input.action === 'undeploy') return bevy.undeploySprites(common);
  return bevy.deploySprites({ ...common, sprites: await records.keptSprites(input.jobId) });
}
