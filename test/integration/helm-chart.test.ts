// The Helm chart, checked offline with the real tools: helm lint --strict and helm template with four values files,
// every rendered object validated against Kubernetes' schemas (kubernetes-validate), a security scan (checkov) with
// no failure but the listed skips, and assertions on the rendered YAML: a workload per process role, GPU limits on
// GPU workers only, security contexts, probes, resources, and no secret value anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROLES } from '../../infra/roles.ts';
import { TOOL_PATHS, ROOT } from '../../infra/tools/install.mjs';
import { CHART, containersOf, globMatches, helm, parseManifests, podSpec, renderChart, requireTools, run, type K8sObject } from '../support/helm.ts';

const VALUES: Record<string, string> = {
  minimal: 'infra/helm/atelier/ci/minimal-values.yaml',
  'gpu-sidecars': 'infra/helm/atelier/ci/gpu-sidecars-values.yaml',
  external: 'infra/helm/atelier/ci/external-values.yaml',
  'k3s-two-node': 'infra/argocd/values/k3s-two-node.yaml',
};
// in helm's environment while it renders: none of these may reach the output
const PLANTED = {
  DATABASE_URL: 'postgres://atelier:planted-db-password-7f3a@db.internal:5432/atelier',
  OPENAI_API_KEY: 'sk-planted-llm-key-0c9d2e71',
  ATELIER_API_TOKEN: 'atl_planted_api_token_5b8e1f40',
  PGPASSWORD: 'planted-pg-password-91aa',
};
const SECRET_VARIABLES = ['DATABASE_URL', 'OPENAI_API_KEY', 'ATELIER_API_TOKEN'];

const rendered: Record<string, { text: string; objects: K8sObject[] }> = {};
let outDir: string;

before(() => {
  requireTools();
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-helm-'));
  for (const [name, file] of Object.entries(VALUES)) {
    const result = renderChart([file], [], PLANTED);
    assert.equal(result.status, 0, `helm template with ${file} failed:\n${result.stderr}`);
    rendered[name] = { text: result.stdout, objects: parseManifests(result.stdout) };
    fs.writeFileSync(path.join(outDir, `${name}.yaml`), result.stdout);
  }
});

after(() => fs.rmSync(outDir, { recursive: true, force: true }));

const all = () => Object.entries(rendered).flatMap(([values, { objects }]) => objects.map((object) => ({ values, object })));
const workloads = () => all().filter(({ object }) => podSpec(object));
const envOf = (container: any, name: string) => (container.env ?? []).find((e: any) => e.name === name);
const roleOf = (container: any) => container.args?.[0];

test('helm lint --strict passes with each values file', () => {
  for (const file of Object.values(VALUES)) {
    const result = helm(['lint', '--strict', CHART, '--values', path.join(ROOT, file)]);
    assert.equal(result.status, 0, `helm lint --strict with ${file}:\n${result.stdout}${result.stderr}`);
  }
});

test('every rendered object is valid against the Kubernetes 1.31 and 1.37 schemas (kubernetes-validate --strict)', () => {
  const files = Object.keys(VALUES).map((name) => path.join(outDir, `${name}.yaml`));
  const count = all().length;
  for (const version of ['1.31.0', '1.37.0']) {
    const result = run(TOOL_PATHS.kubernetesValidate, ['--strict', '-k', version, ...files]);
    assert.equal(result.status, 0, `kubernetes-validate ${version}:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout.match(/ passed for resource /g)?.length, count, `kubernetes-validate ${version} passed fewer objects than were rendered:\n${result.stdout}`);
  }
  // and the validator does refuse a wrong object: a field Kubernetes does not have
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-broken-'));
  fs.writeFileSync(path.join(broken, 'broken.yaml'), rendered.minimal!.text.replace('  replicas: 2\n', '  replicas: 2\n  replicaCount: 2\n'));
  const refused = run(TOOL_PATHS.kubernetesValidate, ['--strict', '-k', '1.31.0', path.join(broken, 'broken.yaml')]);
  fs.rmSync(broken, { recursive: true, force: true });
  assert.notEqual(refused.status, 0, 'kubernetes-validate accepted an unknown field');
});

test('checkov finds no failed check but those in checkov-skips.yaml, and every skip has a reason and still applies', () => {
  const result = run(TOOL_PATHS.checkov, ['--skip-download', '--framework', 'kubernetes', '--directory', outDir, '--output', 'json', '--quiet', '--compact'], { BC_SKIP_MAPPING: 'TRUE' });
  const reports = [JSON.parse(result.stdout)].flat() as { results: { failed_checks: { check_id: string; resource: string; file_path: string }[] }; summary: { passed: number } }[];
  assert.ok(reports.some((r) => r.summary.passed > 100), `checkov checked little or nothing:\n${result.stdout.slice(0, 2000)}${result.stderr.slice(-2000)}`);
  const failures = reports.flatMap((r) => r.results.failed_checks);
  const skips = parse(fs.readFileSync(path.join(CHART, 'checkov-skips.yaml'), 'utf8')) as { check: string; resources: string[]; reason: string }[];
  for (const skip of skips) assert.ok(skip.reason?.trim().length > 40, `${skip.check} is skipped without a reason`);
  const unlisted = failures.filter((f) => !skips.some((s) => s.check === f.check_id && s.resources.some((r) => globMatches(r, f.resource))));
  assert.deepEqual(unlisted.map((f) => `${f.check_id} ${f.resource} (${f.file_path})`), [], 'checkov failed checks that checkov-skips.yaml does not list');
  const stale = skips.filter((s) => !failures.some((f) => f.check_id === s.check && s.resources.some((r) => globMatches(r, f.resource))));
  assert.deepEqual(stale.map((s) => s.check), [], 'checkov-skips.yaml lists checks that no longer fail: remove them');
});

test("each role in the launcher's list has a workload, of the kind its lifetime needs", () => {
  for (const role of ROLES) {
    const found = workloads().filter(({ object }) => containersOf(object).some((c) => roleOf(c) === role.name));
    assert.ok(found.length, `the chart has no workload for the ${role.name} role (infra/roles.ts): add one to infra/helm/atelier`);
    for (const { values, object } of found) {
      const kinds = role.lifetime === 'job' ? ['Job'] : role.launcher === 'per-pool' ? ['DaemonSet', 'StatefulSet'] : ['Deployment'];
      assert.ok(kinds.includes(object.kind), `${values}: the ${role.name} role runs as a ${object.kind}, expected ${kinds.join(' or ')}`);
      const container = containersOf(object).find((c) => roleOf(c) === role.name);
      assert.equal(object.metadata.labels?.['app.kubernetes.io/component'], role.name);
      if (role.serves) assert.ok(container.ports?.length, `${values}: the ${role.name} role serves HTTP but its container has no port`);
      // the V8 options the launcher gives the role, as NODE_OPTIONS (the image runs every role through one entrypoint)
      assert.equal(envOf(container, 'NODE_OPTIONS')?.value, role.nodeOptions?.join(' '), `${values}: the ${role.name} container's NODE_OPTIONS`);
    }
  }
  for (const name of Object.keys(VALUES)) {
    const roles = new Set(workloads().filter((w) => w.values === name).flatMap(({ object }) => containersOf(object).map(roleOf)));
    for (const role of ['api', 'worker-main', 'migrate']) assert.ok(roles.has(role), `${name}: no ${role} workload`);
  }
  const pools = rendered['gpu-sidecars']!.objects.filter((o) => o.kind === 'DaemonSet');
  assert.deepEqual(pools.map((o) => containersOf(o)[0].args), [['worker-gpu', '--pool', 'sdxl'], ['worker-gpu', '--pool', 'flux']], 'one GPU worker DaemonSet per pool');
  const migrate = rendered.minimal!.objects.find((o) => o.kind === 'Job')!;
  assert.equal(migrate.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.ok(!podSpec(migrate).volumes.some((v: any) => v.persistentVolumeClaim), 'the migrate hook runs before the claims exist: it must mount none');
});

test('GPU limits are on GPU workers only, one container per pool with the pool\'s count', () => {
  for (const { values, object } of workloads()) {
    const withGpu = containersOf(object).filter((c) => c.resources?.limits?.['nvidia.com/gpu'] !== undefined);
    if (object.metadata.labels?.['app.kubernetes.io/component'] !== 'worker-gpu') {
      assert.deepEqual(withGpu.map((c) => c.name), [], `${values}: ${object.kind} ${object.metadata.name} asks for a GPU`);
      continue;
    }
    assert.equal(withGpu.length, 1, `${values}: ${object.metadata.name} needs its GPUs on exactly one container`);
    const pool = object.metadata.labels['atelier.dev/gpu-pool'];
    assert.equal(withGpu[0].resources.limits['nvidia.com/gpu'], pool === 'flux' ? 2 : 1, `${values}: pool ${pool}'s GPU count`);
    // with a sidecar the GPU is ComfyUI's; with an external ComfyUI the worker's (its trainer runs there)
    assert.equal(withGpu[0].name, containersOf(object).some((c) => c.name === 'comfyui') ? 'comfyui' : 'worker-gpu');
  }
});

test('every container has requests and limits, a non-root security context, and probes where it serves', () => {
  for (const { values, object } of workloads()) {
    const pod = podSpec(object);
    const where = `${values}: ${object.kind} ${object.metadata.name}`;
    assert.equal(pod.automountServiceAccountToken, false, `${where}: automountServiceAccountToken must be false`);
    assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: the pod must run as non-root`);
    assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp profile`);
    for (const container of containersOf(object)) {
      const at = `${where} container ${container.name}`;
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) assert.ok(container.resources?.[kind]?.[resource], `${at}: no ${kind}.${resource}`);
      }
      const security = container.securityContext ?? {};
      assert.equal(security.runAsNonRoot, true, `${at}: runAsNonRoot`);
      assert.equal(security.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
      assert.equal(security.privileged, false, `${at}: privileged`);
      assert.ok(security.capabilities?.drop?.includes('ALL'), `${at}: capabilities are not dropped`);
      if (container.image.startsWith('atelier') || container.image.includes('/atelier')) assert.equal(security.readOnlyRootFilesystem, true, `${at}: read-only root filesystem`);
      if (container.ports?.length) {
        assert.ok(container.readinessProbe && container.livenessProbe, `${at} serves port ${container.ports[0].containerPort} without readiness and liveness probes`);
      }
    }
  }
  const api = containersOf(rendered.minimal!.objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-api'))!)[0];
  assert.equal(api.readinessProbe.httpGet.path, '/api/health');
  assert.equal(api.livenessProbe.httpGet.path, '/api/health');
});

test('no secret value is rendered: Secrets are referenced by name, and a secret given as a value is refused', () => {
  for (const [values, { text, objects }] of Object.entries(rendered)) {
    for (const planted of Object.values(PLANTED)) assert.ok(!text.includes(planted), `${values}: a planted secret is in the output`);
    assert.deepEqual(objects.filter((o) => o.kind === 'Secret' || o.kind === 'ConfigMap').map((o) => o.metadata.name), [], `${values}: the chart renders a Secret or ConfigMap`);
    for (const { object } of workloads().filter((w) => w.values === values)) {
      for (const container of containersOf(object)) {
        for (const name of SECRET_VARIABLES) {
          const entry = envOf(container, name);
          if (entry) assert.ok(entry.valueFrom?.secretKeyRef && entry.value === undefined, `${values}: ${name} of ${object.metadata.name} is not from a Secret`);
        }
      }
    }
  }
  const external = rendered.external!.objects.find((o) => o.metadata.name.endsWith('-api') && o.kind === 'Deployment')!;
  assert.deepEqual(envOf(containersOf(external)[0], 'DATABASE_URL').valueFrom.secretKeyRef, { name: 'atelier-pg-app', key: 'uri' });
  for (const attempt of [
    ['--set', `database.url=${PLANTED.DATABASE_URL}`],
    ['--set', `llm.apiKey=${PLANTED.OPENAI_API_KEY}`],
    ['--set', `api.token=${PLANTED.ATELIER_API_TOKEN}`],
    ['--set-string', `extraEnv.OPENAI_API_KEY=${PLANTED.OPENAI_API_KEY}`],
    ['--set-string', `extraEnv.DATABASE_URL=${PLANTED.DATABASE_URL}`],
  ]) {
    const result = renderChart([VALUES.minimal!], attempt);
    assert.notEqual(result.status, 0, `the chart took a secret as a value: ${attempt.join(' ')}`);
    assert.match(result.stderr, /values don't meet the specifications of the schema/);
    for (const planted of Object.values(PLANTED)) assert.ok(!(result.stdout + result.stderr).includes(planted), 'the refusal repeats the secret');
  }
});

test('an invalid value fails with the schema\'s message naming it', () => {
  const cases: [string[], RegExp][] = [
    [['--set', 'gpuPools[0].comfyui.url=http://comfy.lan:8188'], /at '\/gpuPools\/0': missing property 'name'/],
    [['--set', 'gpuPools[0].name=Big Pool,gpuPools[0].comfyui.url=http://comfy.lan:8188'], /at '\/gpuPools\/0\/name'/],
    [['--set', 'mainWorker.replicas=-1'], /at '\/mainWorker\/replicas': minimum: got -1, want 0/],
    [['--set', 'api.replicas=-2'], /at '\/api\/replicas': minimum: got -2/],
    [['--set', 'colour=blue'], /additional properties 'colour' not allowed/],
    [['--set', 'ingress.clasName=nginx'], /at '\/ingress': additional properties 'clasName' not allowed/],
    [['--set', 'temporal.address=temporal-without-port'], /at '\/temporal\/address'/],
    [['--set', 'gpuPools[0].name=both,gpuPools[0].comfyui.url=http://c:8188,gpuPools[0].comfyui.sidecar.modelsPath=/m'], /at '\/gpuPools\/0\/comfyui'/],
  ];
  for (const [args, message] of cases) {
    const result = renderChart([VALUES.minimal!], args);
    assert.notEqual(result.status, 0, `accepted ${args.join(' ')}`);
    assert.match(result.stderr, message, `${args.join(' ')}:\n${result.stderr}`);
  }
});

test('a GPU worker is named after its node and talks to its own ComfyUI; the API reaches every pool\'s', () => {
  const objects = rendered['gpu-sidecars']!.objects;
  const flux = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.labels?.['atelier.dev/gpu-pool'] === 'flux')!;
  const worker = containersOf(flux).find((c) => c.name === 'worker-gpu');
  assert.deepEqual(envOf(worker, 'ATELIER_GPU_HOST').valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
  assert.equal(envOf(worker, 'ATELIER_GPU_POOLS').value, 'sdxl=http://atelier-comfyui-sdxl.atelier.svc.cluster.local:8188,flux=http://127.0.0.1:8190');
  assert.equal(envOf(worker, 'ATELIER_TRAINER_COMMAND').value, 'python /opt/ai-toolkit/run.py');
  // the other hosts of the pool look for a lost host's prompts at its pod's address, which the policy lets them reach
  assert.deepEqual(envOf(worker, 'POD_IP').valueFrom, { fieldRef: { fieldPath: 'status.podIP' } });
  assert.equal(envOf(worker, 'ATELIER_COMFY_ADVERTISE_URL').value, 'http://$(POD_IP):8190');
  const comfyIngress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-comfyui-flux-ingress'))!;
  assert.deepEqual(comfyIngress.spec.ingress[0].from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/component']), ['api', 'worker-gpu']);
  assert.deepEqual(podSpec(flux).nodeSelector, { 'atelier.dev/gpu-pool': 'flux' });
  assert.equal(podSpec(flux).volumes.find((v: any) => v.name === 'host-files').hostPath.path, '/var/lib/atelier/host-files');
  const comfy = containersOf(flux).find((c) => c.name === 'comfyui');
  assert.ok(comfy.volumeMounts.some((m: any) => m.name === 'models' && m.readOnly && m.mountPath === '/opt/ComfyUI/models'), 'ComfyUI reads the shared models read-only');
  assert.equal(podSpec(flux).volumes.find((v: any) => v.name === 'models').persistentVolumeClaim.claimName, 'shared-models');
  const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-api'))!;
  assert.equal(envOf(containersOf(api)[0], 'ATELIER_GPU_POOLS').value, 'sdxl=http://atelier-comfyui-sdxl.atelier.svc.cluster.local:8188,flux=http://atelier-comfyui-flux.atelier.svc.cluster.local:8190');
  assert.deepEqual(objects.filter((o) => o.kind === 'Service' && o.metadata.name.includes('comfyui')).map((o) => o.spec.ports[0].port), [8188, 8190]);
  const data = objects.find((o) => o.kind === 'PersistentVolumeClaim')!;
  assert.deepEqual(data.spec.accessModes, ['ReadWriteMany']);
});

test('network policies: only the ingress controller reaches the API; egress only to DNS, Temporal, PostgreSQL, the LLM and ComfyUI', () => {
  const policies = rendered.external!.objects.filter((o) => o.kind === 'NetworkPolicy');
  const egress = policies.find((p) => p.metadata.name.endsWith('-egress'))!;
  assert.deepEqual(egress.spec.ingress, []);
  const ports = egress.spec.egress.map((rule: any) => rule.ports.map((p: any) => p.port));
  // DNS; temporal.prod.example.com:7233; PostgreSQL 5432 (to the database's network only); https LLM and ComfyUI: 443
  assert.deepEqual(ports, [[53, 53], [7233], [5432], [443], [443]]);
  assert.deepEqual(egress.spec.egress[2].to, [{ ipBlock: { cidr: '10.20.0.0/16' } }]);
  const api = policies.find((p) => p.metadata.name.endsWith('-api-ingress'))!;
  assert.equal(api.spec.podSelector.matchLabels['app.kubernetes.io/component'], 'api');
  assert.deepEqual(api.spec.ingress[0].from[0].podSelector.matchLabels, { 'app.kubernetes.io/name': 'traefik' });
  assert.equal(api.spec.ingress[0].ports[0].port, 8420);
  const ingress = rendered.external!.objects.find((o) => o.kind === 'Ingress')!;
  assert.equal(ingress.spec.ingressClassName, 'traefik');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['atelier.example.com'], secretName: 'atelier-tls' }]);
});

test('with mcp on: /api/mcp goes to the MCP Deployment, which reaches the API', () => {
  const objects = rendered['gpu-sidecars']!.objects;
  const paths = objects.find((o) => o.kind === 'Ingress')!.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name]);
  assert.deepEqual(paths, [['/', 'atelier-api'], ['/api/mcp', 'atelier-mcp']]);
  const mcp = containersOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'atelier-mcp')!)[0];
  assert.equal(envOf(mcp, 'ATELIER_URL').value, 'http://atelier-api.atelier.svc.cluster.local');
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const apiIngress = policies.find((p) => p.metadata.name === 'atelier-api-ingress')!;
  assert.ok(apiIngress.spec.ingress[0].from.some((peer: any) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'mcp'));
  const egress = policies.find((p) => p.metadata.name === 'atelier-egress')!;
  assert.ok(egress.spec.egress.some((rule: any) => rule.ports[0].port === 8420 && rule.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'api'));
  assert.ok(!rendered.minimal!.objects.some((o) => o.metadata.name.includes('mcp')), 'no MCP objects while mcp.enabled is false');
});

test("the chart's appVersion is the project's version (the image tag it deploys by default)", () => {
  const chart = parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.appVersion, pkg.version);
  const api = rendered.minimal!.objects.find((o) => o.kind === 'Deployment')!;
  assert.equal(containersOf(api)[0].image, `atelier:${pkg.version}`);
});

test('the API, the main worker and every GPU worker mount the one shared artifact store at DATA_DIR (its marker is checked at start)', () => {
  let gpuWorkers = 0;
  for (const [values, { objects }] of Object.entries(rendered)) {
    const writers = objects.filter((o) => podSpec(o) && ['api', 'worker-main', 'worker-gpu'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''));
    gpuWorkers += writers.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'worker-gpu').length;
    const claims = new Set<string>();
    for (const object of writers) {
      const container = containersOf(object).find((c: any) => roleOf(c) === object.metadata.labels?.['app.kubernetes.io/component'])!;
      const dataDir = envOf(container, 'DATA_DIR')?.value;
      const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === dataDir);
      assert.ok(mount, `${values}: ${object.metadata.name} has no volume at DATA_DIR (${dataDir})`);
      const volume = podSpec(object).volumes.find((v: any) => v.name === mount.name);
      assert.ok(volume?.persistentVolumeClaim?.claimName, `${values}: ${object.metadata.name}'s DATA_DIR is not a persistent volume claim`);
      claims.add(volume.persistentVolumeClaim.claimName);
    }
    assert.equal(claims.size, 1, `${values}: the store is one claim for all (${[...claims].join(', ')})`);
  }
  assert.ok(gpuWorkers >= 3, `GPU workers rendered across the values files: ${gpuWorkers}`);
});
