/**
 * Container image references the way Kyverno describes them in the `images` variable:
 * docker.io is added when the first component is not a registry host, the tag defaults to
 * "latest" when there is no digest, and `path` is the repository path without the registry.
 */
export interface ImageInfo {
  registry: string;
  path: string;
  name: string;
  tag?: string;
  digest?: string;
  /** registry/path:tag or registry/path@digest */
  reference: string;
  referenceWithTag: string;
}

const DEFAULT_REGISTRY = 'docker.io';
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function imageInfo(image: string): ImageInfo | undefined {
  if (typeof image !== 'string' || image === '' || image.length > 4096) return undefined;
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  const first = parts[0]!;
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : DEFAULT_REGISTRY;
  const pathParts = hasRegistry ? parts.slice(1) : parts;
  if (pathParts.length === 0 || !pathParts.every((p) => NAME_COMPONENT.test(p))) return undefined;
  const path = pathParts.join('/');
  if (!digest && !tag) tag = 'latest';
  const base = `${registry}/${path}`;
  return {
    registry,
    path,
    name: pathParts[pathParts.length - 1]!,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    reference: digest ? `${base}@${digest}` : `${base}:${tag}`,
    referenceWithTag: `${base}:${tag ?? ''}`,
  };
}
