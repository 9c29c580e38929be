import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findRoute, handledInApp, matchPath, type AnchorLike, type ClickLike } from '../../ui/src/lib/router.ts';

test('patterns match whole paths and decode their parameters', () => {
  assert.deepEqual(matchPath('/jobs/:id', '/jobs/generate-1%2F2'), { id: 'generate-1/2' });
  assert.deepEqual(matchPath('/jobs', '/jobs/'), {});
  assert.equal(matchPath('/jobs/:id', '/jobs'), null);
  assert.equal(matchPath('/jobs/:id', '/jobs/a/b'), null);
  assert.equal(matchPath('/jobs/:id', '/jobs/%E0%A4%A'), null);
});

test('the first matching route wins; nothing matches an unknown page', () => {
  const routes = [{ pattern: '/jobs', name: 'list' }, { pattern: '/jobs/:id', name: 'job' }];
  assert.equal(findRoute(routes, '/jobs/x')!.route.name, 'job');
  assert.equal(findRoute(routes, '/nowhere'), null);
});

const click = (extra: Partial<ClickLike> = {}): ClickLike => ({ button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false, ...extra });
const anchor = (href: string, attributes: Record<string, string> = {}, target = ''): AnchorLike => ({
  href: new URL(href, 'http://app').href, target,
  hasAttribute: (name) => name in attributes,
  getAttribute: (name) => (name === 'href' ? href : attributes[name] ?? null),
});

test('a plain click on a link to one of our pages stays in the app', () => {
  assert.equal(handledInApp(click(), anchor('/jobs/j1?x=1'), 'http://app')!.pathname, '/jobs/j1');
});

test('new-tab clicks, other sites, downloads, API links and #anchors are left to the browser', () => {
  assert.equal(handledInApp(click({ ctrlKey: true }), anchor('/jobs'), 'http://app'), null);
  assert.equal(handledInApp(click({ button: 1 }), anchor('/jobs'), 'http://app'), null);
  assert.equal(handledInApp(click(), anchor('http://temporal:8233/x'), 'http://app'), null);
  assert.equal(handledInApp(click(), anchor('/jobs', {}, '_blank'), 'http://app'), null);
  assert.equal(handledInApp(click(), anchor('/api/assets/a_1?download', { download: '' }), 'http://app'), null);
  assert.equal(handledInApp(click(), anchor('/api/jobs/j/events.jsonl'), 'http://app'), null);
  assert.equal(handledInApp(click(), anchor('#main'), 'http://app'), null);
  assert.equal(handledInApp(click({ defaultPrevented: true }), anchor('/jobs'), 'http://app'), null);
});
