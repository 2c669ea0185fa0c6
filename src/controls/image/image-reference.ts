/**
 * Container image references ("registry:5000/team/app:1.2@sha256:…") as Kubernetes and the
 * container runtimes read them: the OCI distribution reference grammar plus Docker Hub's
 * normalisation ("nginx" is docker.io/library/nginx). Shared by the image controls, the
 * pull-policy control and the admission webhook.
 */

/** The registry host Docker Hub images resolve to. */
export const DOCKER_HUB = 'docker.io';

/** Host names that all mean Docker Hub. */
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export interface ImageReference {
  /** The reference as written. */
  readonly raw: string;
  /** Registry host with optional port; docker.io when the reference names none (or a Docker Hub alias). */
  readonly domain: string;
  /** True when the reference names no registry and Docker Hub is implied. */
  readonly implicitDomain: boolean;
  /** Repository path in the registry; official Docker Hub images get "library/". */
  readonly path: string;
  /** domain/path with the host lower-cased: the fully qualified repository, as registries compare it. */
  readonly repository: string;
  readonly tag: string | undefined;
  /** "algorithm:hex", e.g. sha256:… */
  readonly digest: string | undefined;
}

export type ImageParseResult = { readonly ok: true; readonly ref: ImageReference } | { readonly ok: false; readonly reason: string };

// Grammar pieces of the distribution reference specification.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
/** Registered algorithms have a fixed-length lowercase hex encoding. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
const MAX_NAME_LENGTH = 255;

function fail(reason: string): ImageParseResult {
  return { ok: false, reason };
}

function parseUncached(raw: string): ImageParseResult {
  if (raw.length === 0) return fail('the reference is empty');
  if (/\s/.test(raw)) return fail('the reference contains white space');

  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const m = DIGEST.exec(digest);
    if (!m) return fail(`"${digest}" is not a valid digest`);
    const want = DIGEST_HEX_LENGTH[m[1]!];
    if (want !== undefined && !(m[2]!.length === want && /^[a-f0-9]+$/.test(m[2]!))) {
      return fail(`a ${m[1]} digest has ${want} lowercase hex characters`);
    }
  }

  // The tag follows the last colon of the last path component: a colon before the last
  // slash belongs to the registry's port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return fail(`"${tag}" is not a valid tag`);
  }
  if (rest.length === 0) return fail('the reference has no repository name');
  if (rest.length > MAX_NAME_LENGTH) return fail(`the repository name is longer than ${MAX_NAME_LENGTH} characters`);

  // The first component is a registry when it looks like a host: it has a dot or a port,
  // is "localhost", or has upper-case letters (which repository paths never have).
  let domain = DOCKER_HUB;
  let implicitDomain = true;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN.test(first)) return fail(`"${first}" is not a valid registry host`);
      domain = DOCKER_HUB_ALIASES.has(first.toLowerCase()) ? DOCKER_HUB : first;
      implicitDomain = false;
      path = rest.slice(slash + 1);
    }
  }
  if (path.length === 0) return fail('the reference has no repository path');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) return fail(`"${component}" is not a valid repository path component`);
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;

  const ref: ImageReference = Object.freeze({ raw, domain, implicitDomain, path, repository: `${domain.toLowerCase()}/${path}`, tag, digest });
  return Object.freeze({ ok: true as const, ref });
}

// Workloads repeat a handful of images many times; parse each string once per process.
const cache = new Map<string, ImageParseResult>();
const CACHE_LIMIT = 4096;

/** Parses an image reference; results are frozen and shared. */
export function parseImageReference(raw: string): ImageParseResult {
  let r = cache.get(raw);
  if (r === undefined) {
    r = parseUncached(raw);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(raw, r);
  }
  return r;
}

/** The tag the runtime pulls when none is written (and no digest is). */
export const DEFAULT_TAG = 'latest';

/**
 * True when the reference can resolve to different content over time: it has no digest.
 * (A digest wins over any tag written beside it.)
 */
export function isMutable(ref: ImageReference): boolean {
  return ref.digest === undefined;
}

/**
 * The pull policy the API server fills in when a container omits imagePullPolicy: Always
 * for tag "latest" or for a reference with neither tag nor digest, IfNotPresent otherwise.
 */
export function defaultPullPolicy(ref: ImageReference): 'Always' | 'IfNotPresent' {
  return ref.tag === DEFAULT_TAG || (ref.tag === undefined && ref.digest === undefined) ? 'Always' : 'IfNotPresent';
}

/**
 * Normalises an allowed-registry entry ("host" or "host/path/prefix") for matching: drops a
 * URL scheme and trailing slashes, lower-cases it, folds Docker Hub aliases into
 * docker.io. Returns undefined for an empty entry.
 */
export function normaliseRegistryPrefix(entry: string): string | undefined {
  // Hosts compare case-insensitively and repository paths are lower-case by grammar.
  const e = entry.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/+$/, '');
  if (e.length === 0) return undefined;
  const slash = e.indexOf('/');
  const host = slash < 0 ? e : e.slice(0, slash);
  if (!DOCKER_HUB_ALIASES.has(host)) return e;
  return slash < 0 ? DOCKER_HUB : `${DOCKER_HUB}${e.slice(slash)}`;
}

/**
 * True when the image's repository lies under a normalised prefix, on path-segment
 * boundaries: "gcr.io/team" covers gcr.io/team/app but not gcr.io/teamx/app.
 */
export function isUnderRegistryPrefix(ref: ImageReference, normalisedPrefix: string): boolean {
  const repo = ref.repository;
  return repo === normalisedPrefix || (repo.length > normalisedPrefix.length && repo.startsWith(normalisedPrefix) && repo[normalisedPrefix.length] === '/');
}
