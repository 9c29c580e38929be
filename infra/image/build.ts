// `npm run image:build`: the Atelier image, built with buildah (chroot isolation, vfs storage: no Docker engine) on a
// Debian bookworm base made by mmdebstrap from Debian's packages, then written as an OCI archive into dist/.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PINS, ROOT, npmPack } from '../tools/install.mjs';
import { BASE_IMAGE, IMAGE_NAME, STORAGE, buildah, imageArchive, imageExists, projectVersion, requireHostTools } from './buildah.ts';

const CONTEXT = path.join(ROOT, '.tools', 'image-context');
const say = (message: string) => process.stdout.write(`image: ${message}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Node.js 24 and npm for the build, from the npm registry (the Containerfile ADDs them). */
function prepareContext(): void {
  fs.mkdirSync(CONTEXT, { recursive: true });
  for (const [file, spec] of [['node.tgz', PINS.node24], ['npm.tgz', PINS.npm]] as const) {
    const target = path.join(CONTEXT, file);
    const pin = `${target}.pin`;
    if (fs.existsSync(target) && fs.existsSync(pin) && fs.readFileSync(pin, 'utf8') === spec) continue;
    say(`npm pack ${spec}…`);
    const tarball = npmPack(spec);
    fs.copyFileSync(tarball, target);
    fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
    fs.writeFileSync(pin, spec);
  }
}

/** The base image: `mmdebstrap --variant=minbase bookworm`, imported into buildah's storage once. */
function ensureBase(): void {
  if (imageExists(BASE_IMAGE)) return;
  const tar = path.join(STORAGE, 'bookworm-minbase.tar');
  fs.mkdirSync(STORAGE, { recursive: true });
  say('making the Debian bookworm base with mmdebstrap (minbase)…');
  // as Debian's own slim images: no manuals, translations or documentation (copyright files kept)
  const slim = ['path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/locale/*', 'path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright', 'path-exclude=/usr/share/info/*'];
  const result = spawnSync('mmdebstrap', ['--variant=minbase', '--quiet', ...slim.map((rule) => `--dpkgopt=${rule}`), 'bookworm', tar], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('mmdebstrap failed: see the messages above');
  const container = buildah(['from', 'scratch']);
  try {
    buildah(['add', container, tar, '/']);
    buildah(['config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--cmd', '/bin/bash', container]);
    buildah(['commit', '--quiet', container, BASE_IMAGE]);
  } finally {
    buildah(['rm', container]);
    fs.rmSync(tar, { force: true });
  }
}

/** The host npm's CA bundle (npm config cafile), for the build's npm: the registry as this machine reaches it. */
function npmCaArgs(): string[] {
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout.trim();
  if (!cafile || cafile === 'null' || cafile === 'undefined' || !fs.existsSync(cafile)) return [];
  return ['--volume', `${cafile}:/run/npm-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/npm-ca.crt'];
}

/** as buildah reports it (uncompressed, e.g. "520 MB") */
const imageSize = (name: string): string => buildah(['images', '--format', '{{.Size}}', name]).split('\n')[0]!;

async function main() {
  const version = projectVersion();
  const tag = `${IMAGE_NAME}:${version}`;
  requireHostTools(['buildah', 'mmdebstrap'], say);
  prepareContext();
  const started = Date.now();
  ensureBase();
  const baseSeconds = (Date.now() - started) / 1000;
  say(`building ${tag} (infra/image/Containerfile)…`);
  const buildStarted = Date.now();
  buildah(['bud', '--isolation', 'chroot', '--layers=false', '--file', 'infra/image/Containerfile', '--ignorefile', 'infra/image/Containerfile.dockerignore',
    '--build-arg', `BASE=${BASE_IMAGE}`, ...npmCaArgs(), '--tag', tag, '--tag', `${IMAGE_NAME}:latest`, ROOT], { inherit: true });
  const buildSeconds = (Date.now() - buildStarted) / 1000;
  // the build stage's image is not needed once the final one exists
  buildah(['rmi', '--prune']);
  const archive = imageArchive(version);
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  fs.rmSync(archive, { force: true });
  buildah(['push', '--quiet', tag, `oci-archive:${archive}:atelier:${version}`]);
  const size = imageSize(tag);
  process.stdout.write([
    '',
    `image       ${tag}`,
    `archive     ${path.relative(ROOT, archive)} (${mib(fs.statSync(archive).size)}; import into k3s: sudo k3s ctr images import ${path.basename(archive)})`,
    `image size  ${size} (uncompressed)`,
    `build time  ${buildSeconds.toFixed(0)} s${baseSeconds > 1 ? ` (+ ${baseSeconds.toFixed(0)} s for the Debian base)` : ''}`,
    '',
  ].join('\n'));
}

main().catch((error) => {
  process.stderr.write(`image: ${(error as Error).message}\n`);
  process.exit(1);
});
