// The current location as reactive state; navigate() and in-app link clicks go through history.pushState.
import { handledInApp } from './router.ts';

export const here = $state({ path: window.location.pathname, search: window.location.search });

function sync(): void {
  here.path = window.location.pathname;
  here.search = window.location.search;
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const url = new URL(href, window.location.origin);
  const same = url.pathname === window.location.pathname && url.search === window.location.search;
  if (options.replace || same) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  sync();
  if (!same && !options.replace) window.scrollTo(0, 0);
}

export function startNavigation(): () => void {
  const onClick = (event: MouseEvent) => {
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor) return;
    const url = handledInApp(event, anchor, window.location.origin);
    if (!url) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  };
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', sync);
  return () => {
    document.removeEventListener('click', onClick);
    window.removeEventListener('popstate', sync);
  };
}
