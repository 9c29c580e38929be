import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../core/config.ts';

test('nothing configured means the embedded stack', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.temporal.address, undefined);
  assert.deepEqual(config.gpuPools, {});
  assert.equal(config.api.port, 8420);
  assert.equal(config.comfyInflight, 2);
  assert.equal(config.temporal.namespace, 'default');
  assert.equal(config.logFiles, true);
  assert.equal(config.backgroundNice, 10);
});

test('GPU pools parse into name → URL and the first is the default', () => {
  const config = loadConfig({ ATELIER_GPU_POOLS: 'dgx=http://dgx:8188/, k3s=http://comfy.gpu:8188' });
  assert.deepEqual(config.gpuPools, { dgx: 'http://dgx:8188', k3s: 'http://comfy.gpu:8188' });
  assert.equal(config.defaultPool, 'dgx');
});

const refuses = (env: Record<string, string>, variable: string, expectation: RegExp) => {
  assert.throws(() => loadConfig(env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, 'a ConfigError');
    assert.match(error.message, new RegExp(variable));
    assert.match(error.message, expectation);
    return true;
  });
};

test('a bad value names the variable and what it expects', () => {
  refuses({ ATELIER_API_PORT: 'eighty' }, 'ATELIER_API_PORT', /port number/);
  refuses({ ATELIER_API_PORT: '70000' }, 'ATELIER_API_PORT', /1-65535/);
  refuses({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres:\/\//);
  refuses({ TEMPORAL_ADDRESS: 'http://temporal:7233' }, 'TEMPORAL_ADDRESS', /host:port/);
  refuses({ ATELIER_GPU_POOLS: 'dgx:8188' }, 'ATELIER_GPU_POOLS', /pool=http/);
  refuses({ ATELIER_COMFY_INFLIGHT: '0' }, 'ATELIER_COMFY_INFLIGHT', /at least 1/);
  refuses({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/);
  for (const nice of ['20', '-5', '2.5', 'low']) refuses({ ATELIER_BACKGROUND_NICE: nice }, 'ATELIER_BACKGROUND_NICE', /whole number from 0 to 19/);
  refuses({ ATELIER_API_TOKEN: 'short' }, 'ATELIER_API_TOKEN', /16 characters/);
  refuses({ ATELIER_GPU_POOLS: 'a=http://a:1', ATELIER_DEFAULT_POOL: 'b' }, 'ATELIER_DEFAULT_POOL', /only has a/);
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' }).databaseUrl, undefined);
});

test('log files under DATA_DIR can be turned off (a cluster collects stdout)', () => {
  assert.equal(loadConfig({ ATELIER_LOG_FILES: 'false' }).logFiles, false);
  refuses({ ATELIER_LOG_FILES: 'no' }, 'ATELIER_LOG_FILES', /true or false/);
});
