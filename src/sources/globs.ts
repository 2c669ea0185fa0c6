/**
 * Gitignore-like globs for `ignore` paths: `*` within a segment, `**` across segments,
 * `?` one character; a pattern without `/` matches a name at any depth; a trailing `/`
 * matches a directory and everything under it.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim().replace(/^\.\//, '');
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.includes('/');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      re += '.*';
      i++;
      if (p[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${anchored ? '^' : '(^|/)'}${re}(/.*)?$`);
}

export function compileGlobs(patterns: readonly string[]): (path: string) => boolean {
  const res = patterns.filter((p) => p.trim() !== '').map(globToRegExp);
  if (res.length === 0) return () => false;
  return (path) => res.some((r) => r.test(path));
}
