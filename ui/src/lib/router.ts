// A small history-API router: patterns like /jobs/:id, same-origin link clicks kept in the page.
export interface RouteMatch<R> { route: R; params: Record<string, string> }

export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(have[i]!);
      } catch {
        return null;
      }
    } else if (part !== have[i]) return null;
  }
  return params;
}

export function findRoute<R extends { pattern: string }>(routes: readonly R[], pathname: string): RouteMatch<R> | null {
  for (const route of routes) {
    const params = matchPath(route.pattern, pathname);
    if (params) return { route, params };
  }
  return null;
}

export interface ClickLike { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean }
export interface AnchorLike { href: string; target: string; hasAttribute(name: string): boolean; getAttribute(name: string): string | null }

/** Only a plain left click on a link to one of our pages stays in the app; /api/ links (downloads) and #anchors do not. */
export function handledInApp(click: ClickLike, anchor: AnchorLike, origin: string): URL | null {
  if (click.defaultPrevented || click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return null;
  if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download') || anchor.getAttribute('href')?.startsWith('#')) return null;
  let url: URL;
  try {
    url = new URL(anchor.href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/')) return null;
  return url;
}
