// Writing kept sprites into a Bevy project (and taking them out again): the activity around activities/bevy/,
// which holds the path checks, the manifest and the atomic writes.
import { ApplicationFailure } from '@temporalio/activity';
import type { Store } from '../core/store.ts';
import type { SpriteRepository } from '../db/sprites.ts';
import type { EmitEvent } from './events.ts';
import type { KeptSprite } from './sprites.ts';
import { DeployRefused } from '../core/bevy-roots.ts';
import { DeployBusy } from './bevy/project-files.ts';
import { deployToProject, undeployFromProject, type DeployResult } from './bevy/deploy.ts';

export interface BevyDeps { store: Store; sprites: SpriteRepository; emit: EmitEvent; bevyRoots: string[] }

export interface DeployInput { jobId: string; project: string; force: boolean; dryRun: boolean; sprites: KeptSprite[] }
export interface UndeployInput { jobId: string; project: string; force: boolean; dryRun: boolean }

function asFailure(error: unknown): unknown {
  if (error instanceof DeployRefused) return ApplicationFailure.nonRetryable(error.message, 'DeployRefused');
  if (error instanceof DeployBusy) return ApplicationFailure.retryable(error.message, 'DeployBusy');
  return error;
}

export function bevyActivities(deps: BevyDeps) {
  async function record(jobId: string, action: 'deploy' | 'undeploy', result: DeployResult): Promise<void> {
    if (result.dryRun) return;
    await deps.sprites.recordDeployment({ jobId, projectDir: result.project, action, files: result.files });
    await deps.emit(jobId, `sprites.${action}ed`, { project: result.project, files: result.files.map((f) => ({ path: f.path, action: f.action })), loadLines: result.loadLines.flatMap((l) => l.lines) });
  }

  return {
    async deploySprites(input: DeployInput): Promise<DeployResult> {
      try {
        const sprites = await Promise.all(input.sprites.map(async (s) => ({ spriteId: s.spriteId, name: s.name, category: s.category, atlas: s.atlas, bytes: await deps.store.read(s.assetPath) })));
        const result = await deployToProject({ jobId: input.jobId, projectDir: input.project, roots: deps.bevyRoots, sprites, force: input.force, dryRun: input.dryRun });
        await record(input.jobId, 'deploy', result);
        return result;
      } catch (error) {
        throw asFailure(error);
      }
    },

    async undeploySprites(input: UndeployInput): Promise<DeployResult> {
      try {
        const result = await undeployFromProject({ jobId: input.jobId, projectDir: input.project, roots: deps.bevyRoots, force: input.force, dryRun: input.dryRun });
        await record(input.jobId, 'undeploy', result);
        return result;
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
}

export type BevyActivities = ReturnType<typeof bevyActivities>;
