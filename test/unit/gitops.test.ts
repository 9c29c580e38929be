// The Argo CD app of apps and the LiteLLM config: Applications in the order of their dependencies (sealed secrets,
// then the LLM gateway, then Atelier), pointing at files that exist, and the model names Atelier asks for routed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => parse(fs.readFileSync(path.join(root, file), 'utf8'));
const apps = Object.fromEntries(fs.readdirSync(path.join(root, 'infra/argocd/apps')).filter((f) => f.endsWith('.yaml')).map((f) => {
  const app = read(`infra/argocd/apps/${f}`);
  return [app.metadata.name as string, app];
}));
const wave = (name: string) => Number(apps[name]!.metadata.annotations['argocd.argoproj.io/sync-wave']);
const ownSources = (app: any) => [app.spec.source, ...(app.spec.sources ?? [])].filter((s) => s?.path && s.repoURL === apps.atelier!.spec.source.repoURL);

test('the root Application syncs the apps folder, and every app is an Argo CD Application with a sync wave', () => {
  const rootApp = read('infra/argocd/root.yaml');
  assert.equal(rootApp.kind, 'Application');
  assert.equal(rootApp.spec.source.path, 'infra/argocd/apps');
  for (const [name, app] of Object.entries(apps)) {
    assert.equal(app.apiVersion, 'argoproj.io/v1alpha1', name);
    assert.equal(app.kind, 'Application', name);
    assert.ok(Number.isInteger(wave(name)), `${name} has no sync wave`);
    assert.equal(app.spec.destination.server, 'https://kubernetes.default.svc', name);
  }
});

test('sync waves: the sealed-secrets controller, then the sealed Secrets, then Temporal and the LLM gateway, then Atelier', () => {
  assert.ok(wave('sealed-secrets') < wave('atelier-secrets'));
  for (const dependency of ['temporal', 'ollama', 'litellm']) {
    assert.ok(wave('atelier-secrets') < wave(dependency), `${dependency} must come after the secrets`);
    assert.ok(wave(dependency) < wave('atelier'), `${dependency} must come before Atelier`);
  }
  assert.equal(Math.max(...Object.keys(apps).map(wave)), wave('atelier'), 'Atelier is the last wave');
});

test("the apps' own paths and values files exist in this repository", () => {
  for (const [name, app] of Object.entries(apps)) {
    for (const source of ownSources(app)) {
      assert.ok(fs.existsSync(path.join(root, source.path)), `${name}: ${source.path} does not exist`);
      for (const file of source.helm?.valueFiles ?? []) assert.ok(fs.existsSync(path.join(root, source.path, file)), `${name}: values file ${file} does not exist`);
    }
  }
  assert.equal(apps.atelier!.spec.source.path, 'infra/helm/atelier');
  const kustomization = read('infra/litellm/kustomization.yaml');
  assert.deepEqual(kustomization.configMapGenerator[0], { name: 'litellm-config', files: ['config.yaml'] });
  const litellm = apps.litellm!.spec.sources[0].helm.valuesObject;
  assert.deepEqual(litellm.proxyConfigMap, { create: false, name: 'litellm-config', key: 'config.yaml' });
});

test('LiteLLM routes the model names Atelier uses to Ollama models, and the k3s example asks for them', () => {
  const config = read('infra/litellm/config.yaml');
  const routes = Object.fromEntries(config.model_list.map((m: any) => [m.model_name, m.litellm_params]));
  for (const name of ['planner', 'writer', 'vision', 'captions']) {
    assert.match(routes[name]?.model ?? '', /^ollama_chat\//, `${name} is not routed to Ollama`);
    assert.equal(routes[name].api_base, 'os.environ/OLLAMA_API_BASE');
  }
  assert.equal(config.general_settings.master_key, 'os.environ/LITELLM_MASTER_KEY', 'the master key comes from the environment, never the file');
  const values = read('infra/argocd/values/k3s-two-node.yaml');
  assert.ok(routes[values.llm.models.text] && routes[values.llm.models.vision], 'the example names models LiteLLM does not route');
  const pulled = apps.ollama!.spec.source.helm.valuesObject.ollama.models.pull as string[];
  for (const name of ['planner', 'writer', 'vision', 'captions']) assert.ok(pulled.includes(routes[name].model.replace('ollama_chat/', '')), `Ollama does not pull ${routes[name].model}`);
});
