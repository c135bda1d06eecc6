/**
 * A small history-API router: the current location as state, `navigate`, `Link`, and
 * path matching. The server falls back to index.html for unknown paths, so deep links work.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react";

/** The current path and query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const EVENT = "weft:navigate";

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Goes to `to` (path with optional query) without reloading; `replace` keeps history short. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
}

/** The current location, updated on navigation and back/forward. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = (): void => setLoc(current());
    window.addEventListener("popstate", update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

/** Matches `/runs/:id` style patterns; returns the parameters or `undefined`. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string;
    const seg = s[i] as string;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return undefined;
  }
  return params;
}

/** An anchor that navigates in-app (modified clicks open a new tab as usual). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }): React.JSX.Element {
  const { to, onClick, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}
