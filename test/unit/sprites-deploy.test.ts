// Deploying sprites into a Bevy project: files under assets/ with the expected names and layouts, a second deploy
// updates in place, undeploy removes only Atelier's files; outside the roots, symbolic links out, "../" and
// hostile prompts are refused or made safe, and nothing is ever written outside.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployToProject, undeployFromProject, type DeploySprite } from '../../activities/bevy/deploy.ts';
import { checkProjectPath } from '../../core/bevy-roots.ts';
import { spriteSlug, uniqueSpriteNames } from '../../core/sprite-names.ts';
import { gridFor } from '../../core/bevy-atlas.ts';

let base: string;
let root: string;
let outside: string;

function newGame(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), `[package]\nname = "${name}"\n`);
  return dir;
}

/** every file under a folder, relative, sorted */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

const png = (text: string) => Buffer.from(`\x89PNG fake ${text}`);
const sprites = (tag = 'v1'): DeploySprite[] => [
  { spriteId: 's1-v1', name: 'knight', category: 'character', bytes: png(`knight ${tag}`) },
  { spriteId: 's2-v1', name: 'potion', category: 'item', bytes: png(`potion ${tag}`) },
  { spriteId: 's3-v1', name: 'knight_walk', category: 'character', bytes: png(`walk ${tag}`), atlas: gridFor(4, 32) },
];

before(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
  root = path.join(base, 'games');
  outside = path.join(base, 'elsewhere');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
});

test('files land under assets/ with their names, the atlas layouts and the manifest; the load lines are given', async () => {
  const game = newGame('first');
  const result = await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: false, dryRun: false });
  assert.deepEqual(tree(path.join(game, 'assets')), ['atelier.json', 'items/potion.png', 'sprites/knight.png', 'sprites/knight_walk.atlas.json', 'sprites/knight_walk.atlas.ron', 'sprites/knight_walk.png']);
  assert.deepEqual(result.files.map((f) => [f.path, f.action]), [
    ['assets/sprites/knight.png', 'create'], ['assets/items/potion.png', 'create'], ['assets/sprites/knight_walk.png', 'create'],
    ['assets/sprites/knight_walk.atlas.json', 'create'], ['assets/sprites/knight_walk.atlas.ron', 'create'],
  ]);
  assert.equal(fs.readFileSync(path.join(game, 'assets/sprites/knight.png'), 'utf8'), png('knight v1').toString());
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(game, 'assets/sprites/knight_walk.atlas.json'), 'utf8')), { tile_size: [32, 32], columns: 4, rows: 1, padding: null, offset: null, frames: 4 });
  const manifest = JSON.parse(fs.readFileSync(path.join(game, 'assets/atelier.json'), 'utf8'));
  assert.deepEqual(Object.keys(manifest.files).sort(), ['items/potion.png', 'sprites/knight.png', 'sprites/knight_walk.atlas.json', 'sprites/knight_walk.atlas.ron', 'sprites/knight_walk.png']);
  assert.equal(manifest.files['sprites/knight.png'].job, 'sprites-a');
  assert.deepEqual(manifest.dirs.sort(), ['items', 'sprites']);
  assert.deepEqual(result.loadLines[0], { sprite: 's1-v1', path: 'sprites/knight.png', lines: ['asset_server.load("sprites/knight.png")'] });
  assert.match(result.loadLines[2]!.lines[1]!, /TextureAtlasLayout::from_grid\(UVec2::new\(32, 32\), 4, 1, None, None\)/);
});

test('a second deploy updates in place: changed files rewritten, the rest unchanged, dropped sprites removed, no temp files', async () => {
  const game = newGame('second');
  await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: false, dryRun: false });
  const [knight, , walk] = sprites('v2');
  const preview = await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: [knight!, { ...sprites()[2]!, bytes: walk!.bytes }], force: false, dryRun: true });
  assert.deepEqual(preview.files.map((f) => [f.path, f.action]), [
    ['assets/sprites/knight.png', 'update'], ['assets/sprites/knight_walk.png', 'update'], ['assets/sprites/knight_walk.atlas.json', 'unchanged'],
    ['assets/sprites/knight_walk.atlas.ron', 'unchanged'], ['assets/items/potion.png', 'remove'],
  ]);
  assert.equal(fs.readFileSync(path.join(game, 'assets/sprites/knight.png'), 'utf8'), png('knight v1').toString(), 'a dry run writes nothing');
  await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: [knight!, { ...sprites()[2]!, bytes: walk!.bytes }], force: false, dryRun: false });
  assert.equal(fs.readFileSync(path.join(game, 'assets/sprites/knight.png'), 'utf8'), png('knight v2').toString());
  assert.deepEqual(tree(path.join(game, 'assets')), ['atelier.json', 'sprites/knight.png', 'sprites/knight_walk.atlas.json', 'sprites/knight_walk.atlas.ron', 'sprites/knight_walk.png']);
  assert.ok(!fs.existsSync(path.join(game, 'assets/items')), 'the folder Atelier created for the dropped sprite went with it');
});

test('never overwrites a file Atelier did not write (or another job wrote, or a person changed) without force; nothing written when refused', async () => {
  const game = newGame('guarded');
  fs.mkdirSync(path.join(game, 'assets/sprites'), { recursive: true });
  fs.writeFileSync(path.join(game, 'assets/sprites/knight.png'), 'the artist’s own knight');
  await assert.rejects(deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: false, dryRun: false }),
    /nothing was written: assets\/sprites\/knight.png exists and Atelier did not write it: pass --force/);
  assert.deepEqual(tree(path.join(game, 'assets')), ['sprites/knight.png'], 'no other file was written');
  const forced = await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: true, dryRun: false });
  assert.equal(forced.files[0]!.action, 'overwrite');
  await assert.rejects(deployToProject({ jobId: 'sprites-b', projectDir: game, roots: [root], sprites: sprites().slice(0, 1), force: false, dryRun: false }), /was deployed by job sprites-a/);
  fs.writeFileSync(path.join(game, 'assets/items/potion.png'), 'retouched by hand');
  await assert.rejects(deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites('v3'), force: false, dryRun: false }), /potion.png was changed since Atelier wrote it/);
  assert.equal(fs.readFileSync(path.join(game, 'assets/items/potion.png'), 'utf8'), 'retouched by hand');
});

test('undeploy removes exactly Atelier’s files of that job, keeps the game’s own and changed ones', async () => {
  const game = newGame('undeploy');
  fs.mkdirSync(path.join(game, 'assets/sprites'), { recursive: true });
  fs.writeFileSync(path.join(game, 'assets/sprites/hero.png'), 'the game’s own hero');
  await deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: false, dryRun: false });
  await deployToProject({ jobId: 'sprites-b', projectDir: game, roots: [root], sprites: [{ spriteId: 's1-v2', name: 'slime', category: 'character', bytes: png('slime') }], force: false, dryRun: false });
  fs.writeFileSync(path.join(game, 'assets/sprites/knight_walk.atlas.ron'), '(edited by hand)');
  const result = await undeployFromProject({ jobId: 'sprites-a', projectDir: game, roots: [root], force: false, dryRun: false });
  assert.deepEqual(result.files.filter((f) => f.action === 'keep').map((f) => f.path), ['assets/sprites/knight_walk.atlas.ron']);
  assert.deepEqual(tree(path.join(game, 'assets')), ['atelier.json', 'sprites/hero.png', 'sprites/knight_walk.atlas.ron', 'sprites/slime.png']);
  assert.ok(!fs.existsSync(path.join(game, 'assets/items')), 'the folder Atelier created and emptied is gone');
  await undeployFromProject({ jobId: 'sprites-b', projectDir: game, roots: [root], force: false, dryRun: false });
  assert.deepEqual(tree(path.join(game, 'assets')), ['sprites/hero.png', 'sprites/knight_walk.atlas.ron'], 'the manifest goes with the last file');
});

test('outside the roots, through symbolic links, with "..", without Cargo.toml or without roots: refused, nothing written outside', async () => {
  const game = newGame('safe');
  const outsideGame = path.join(outside, 'game');
  fs.mkdirSync(outsideGame);
  fs.writeFileSync(path.join(outsideGame, 'Cargo.toml'), '');
  const deploy = (projectDir: string, roots = [root]) => deployToProject({ jobId: 'sprites-x', projectDir, roots, sprites: sprites(), force: true, dryRun: false });
  await assert.rejects(deploy(outsideGame), /outside the registered Bevy project roots/);
  await assert.rejects(deploy(`${root}/../elsewhere/game`), /contains ".."/);
  await assert.rejects(deploy('games/safe'), /not an absolute path/);
  await assert.rejects(deploy(game, []), /no Bevy project roots are registered: set ATELIER_BEVY_ROOTS/);
  fs.symlinkSync(outsideGame, path.join(root, 'linked'));
  await assert.rejects(deploy(path.join(root, 'linked')), /through a symbolic link.*outside the registered/);
  const assetsLinked = newGame('assets-linked');
  fs.symlinkSync(path.join(outside), path.join(assetsLinked, 'assets'));
  await assert.rejects(deploy(assetsLinked), /assets is a link to .* outside the registered/);
  const folderLinked = newGame('folder-linked');
  fs.mkdirSync(path.join(folderLinked, 'assets'));
  fs.symlinkSync(outside, path.join(folderLinked, 'assets', 'sprites'));
  await assert.rejects(deploy(folderLinked), /assets\/sprites is a symbolic link leading out of assets/);
  const fileLinked = newGame('file-linked');
  fs.mkdirSync(path.join(fileLinked, 'assets/sprites'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'victim.png'), 'not yours');
  fs.symlinkSync(path.join(outside, 'victim.png'), path.join(fileLinked, 'assets/sprites/knight.png'));
  await assert.rejects(deploy(fileLinked), /knight.png is a symbolic link: Atelier never writes through it/);
  const bare = path.join(root, 'bare');
  fs.mkdirSync(bare);
  await assert.rejects(deploy(bare), /no Cargo.toml/);
  await assert.rejects(deploy(path.join(root, 'missing')), /does not exist/);
  assert.deepEqual(tree(outside), ['game/Cargo.toml', 'victim.png'], 'nothing was written outside the roots');
  assert.equal(fs.readFileSync(path.join(outside, 'victim.png'), 'utf8'), 'not yours');
  assert.throws(() => checkProjectPath('/games/a\0b', [root]), /control characters/);
  await assert.rejects(deployToProject({ jobId: 'j', projectDir: game, roots: [root], sprites: [{ spriteId: 's', name: '../../evil', category: 'character', bytes: png('x') }], force: true, dryRun: false }), /not a safe file name/);
  assert.deepEqual(tree(game), ['Cargo.toml']);
});

test('a hand-edited manifest can never point undeploy outside assets/', async () => {
  const game = newGame('tampered');
  fs.mkdirSync(path.join(game, 'assets'));
  fs.writeFileSync(path.join(game, 'assets/atelier.json'), JSON.stringify({ generator: 'atelier', version: 1, dirs: [], files: { '../Cargo.toml': { sha256: 'x', job: 'sprites-a', bytes: 1, sprite: 's', kind: 'sprite', writtenAt: '' } } }));
  await assert.rejects(undeployFromProject({ jobId: 'sprites-a', projectDir: game, roots: [root], force: true, dryRun: false }), /names "..\/Cargo.toml", which Atelier never writes/);
  assert.ok(fs.existsSync(path.join(game, 'Cargo.toml')));
  fs.writeFileSync(path.join(game, 'assets/atelier.json'), 'not json');
  await assert.rejects(deployToProject({ jobId: 'sprites-a', projectDir: game, roots: [root], sprites: sprites(), force: true, dryRun: false }), /atelier.json is not valid JSON/);
});

test('prompts full of shell and path characters become safe, distinct file names', () => {
  assert.equal(spriteSlug('A medieval Knight (blue)'), 'medieval_knight_blue');
  assert.equal(spriteSlug('../../etc/passwd; rm -rf / && echo $(whoami) `id` | tee ~/.bashrc'), 'etc_passwd_rm_rf_echo_whoami_id_tee');
  assert.equal(spriteSlug('Épée à deux mains'), 'epee_deux_mains');
  assert.equal(spriteSlug('***'), 'sprite');
  assert.equal(spriteSlug('龍'), 'sprite');
  assert.equal(spriteSlug('con'), 'con_sprite');
  assert.ok(spriteSlug('word '.repeat(100)).length <= 40);
  const names = uniqueSpriteNames([
    { id: 'a', baseName: 'knight', category: 'character' }, { id: 'b', baseName: 'knight', category: 'character' },
    { id: 'c', baseName: 'knight', category: 'item' }, { id: 'd', baseName: 'knight', category: 'character' },
  ]);
  assert.deepEqual([...names.values()], ['knight', 'knight_2', 'knight', 'knight_3']);
});
