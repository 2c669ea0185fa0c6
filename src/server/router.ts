/**
 * A method + path router over templates such as `/api/v1/scans/{id}/report`. A dozen
 * routes, no regular expressions from user input, no framework: each template is split
 * into literal and parameter segments once, and a request path is matched segment by
 * segment. A path that matches a template under another method answers 405 with Allow.
 */

export interface Match<R> {
  route: R;
  params: Record<string, string>;
}

export type RouteLookup<R> = { found: Match<R> } | { methodNotAllowed: string[] } | { notFound: true };

interface Compiled<R> {
  method: string;
  segments: Array<{ literal: string } | { param: string }>;
  route: R;
}

/** Segments of a template; `{name}` is a parameter matching one non-empty segment. */
export function templateSegments(template: string): Array<{ literal: string } | { param: string }> {
  if (!template.startsWith('/')) throw new Error(`route template must start with /: ${template}`);
  return template
    .slice(1)
    .split('/')
    .map((s) => {
      const m = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(s);
      if (m) return { param: m[1]! };
      if (s.includes('{') || s.includes('}')) throw new Error(`a parameter must be a whole segment: ${template}`);
      return { literal: s };
    });
}

export class Router<R extends { method: string; path: string }> {
  private readonly compiled: Compiled<R>[] = [];

  constructor(routes: readonly R[]) {
    const seen = new Set<string>();
    for (const route of routes) {
      const segments = templateSegments(route.path);
      // Two templates that differ only in parameter names would shadow each other.
      const shape = `${route.method} /${segments.map((s) => ('param' in s ? '{}' : s.literal)).join('/')}`;
      if (seen.has(shape)) throw new Error(`duplicate route ${route.method} ${route.path}`);
      seen.add(shape);
      this.compiled.push({ method: route.method, segments, route });
    }
    // Literal segments win over parameters at the same position (/exceptions/x/events vs /exceptions/{id}).
    this.compiled.sort((a, b) => specificity(b.segments) - specificity(a.segments));
  }

  /** `path` is the raw request path without the query string. */
  lookup(method: string, path: string): RouteLookup<R> {
    const parts = path.split('/').slice(1);
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      return { notFound: true };
    }
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const params = matchSegments(c.segments, decoded);
      if (!params) continue;
      if (c.method === method || (method === 'HEAD' && c.method === 'GET')) return { found: { route: c.route, params } };
      if (!allowed.includes(c.method)) allowed.push(c.method);
    }
    return allowed.length ? { methodNotAllowed: allowed } : { notFound: true };
  }
}

function specificity(segments: Compiled<unknown>['segments']): number {
  let n = 0;
  for (const s of segments) n = n * 2 + ('literal' in s ? 1 : 0);
  return n + segments.length * 1e6;
}

function matchSegments(segments: Compiled<unknown>['segments'], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const p = parts[i]!;
    if ('literal' in s) {
      if (s.literal !== p) return undefined;
    } else {
      if (!p || p.includes('/')) return undefined;
      params[s.param] = p;
    }
  }
  return params;
}
