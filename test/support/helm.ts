// The deployment tools in .tools/ (infra/tools/install.mjs deploy): helm, kubernetes-validate, checkov, run offline.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TOOL_PATHS, ROOT } from '../../infra/tools/install.mjs';

export const CHART = path.join(ROOT, 'infra', 'helm', 'atelier');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
}

export function requireTools(): void {
  const missing = Object.entries(TOOL_PATHS).filter(([name, file]) => name !== 'node24' && !fs.existsSync(file)).map(([name]) => name);
  if (missing.length) throw new Error(`${missing.join(', ')} missing from .tools/: run \`node infra/tools/install.mjs deploy\` (npm test does it)`);
}

export function run(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(tool, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export const helm = (args: string[], env?: NodeJS.ProcessEnv) => run(TOOL_PATHS.helm, args, env);

/** `helm template` of the chart with these values files (paths from the project root) and extra arguments. */
export function renderChart(valuesFiles: string[], extra: string[] = [], env?: NodeJS.ProcessEnv) {
  return helm(['template', 'atelier', CHART, '--namespace', 'atelier', ...valuesFiles.flatMap((f) => ['--values', path.join(ROOT, f)]), ...extra], env);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  }).filter((object): object is K8sObject => Boolean(object));
}

/** The pod template of a workload (Deployment, DaemonSet, StatefulSet, Job), or undefined. */
export function podSpec(object: K8sObject): any {
  return ['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(object.kind) ? object.spec?.template?.spec : undefined;
}

export const containersOf = (object: K8sObject): any[] => {
  const spec = podSpec(object);
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
};

/** `*` in a pattern matches any characters; the rest literally. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(value);
}
