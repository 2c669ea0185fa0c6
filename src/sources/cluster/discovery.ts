/**
 * API discovery (/api, /apis, /apis/GROUP/VERSION): which kinds the server serves, under
 * which version and resource name. Group versions are fetched only for the groups asked
 * about, preferred version first, so a server with many CRDs costs a few requests.
 */
import { ClusterApiError, type ClusterClient } from './client.js';

export interface ApiResource {
  group: string;
  version: string;
  /** "apps/v1", or "v1" for the core group. */
  apiVersion: string;
  kind: string;
  /** Plural resource name, as in URLs and RBAC rules ("deployments"). */
  resource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

interface GroupInfo {
  versions: string[];
}

interface ResourceList {
  resources?: { name?: string; kind?: string; namespaced?: boolean; verbs?: string[] }[];
}

/** A group version whose discovery failed (an aggregated API that is down, for instance). */
export interface DiscoveryFailure {
  group: string;
  version: string;
  error: ClusterApiError;
}

export class Discovery {
  private groups: Promise<Map<string, GroupInfo>> | undefined;
  private readonly versions = new Map<string, Promise<ApiResource[] | DiscoveryFailure>>();

  constructor(private readonly client: ClusterClient) {}

  /** Group name → served versions, preferred first. Errors here mean the server is unusable. */
  groupList(): Promise<Map<string, GroupInfo>> {
    this.groups ??= (async () => {
      const core = (await this.client.getJson('/api')) as { versions?: unknown };
      const apis = (await this.client.getJson('/apis')) as { groups?: { name?: string; versions?: { version?: string }[]; preferredVersion?: { version?: string } }[] };
      const out = new Map<string, GroupInfo>();
      out.set('', { versions: Array.isArray(core.versions) ? core.versions.filter((v): v is string => typeof v === 'string') : ['v1'] });
      for (const g of Array.isArray(apis.groups) ? apis.groups : []) {
        if (typeof g?.name !== 'string') continue;
        const versions = (g.versions ?? []).map((v) => v.version).filter((v): v is string => typeof v === 'string');
        const preferred = g.preferredVersion?.version;
        if (preferred && versions.includes(preferred)) versions.splice(versions.indexOf(preferred), 1), versions.unshift(preferred);
        out.set(g.name, { versions });
      }
      return out;
    })();
    // A failed discovery (server down, credentials refused) is tried again by the next caller.
    this.groups.catch(() => (this.groups = undefined));
    return this.groups;
  }

  /** Resources of one group version (subresources left out), or why they could not be read. */
  groupVersion(group: string, version: string): Promise<ApiResource[] | DiscoveryFailure> {
    const key = `${group}/${version}`;
    let p = this.versions.get(key);
    if (!p) {
      p = (async () => {
        try {
          const list = (await this.client.getJson(group ? `/apis/${group}/${version}` : `/api/${version}`)) as ResourceList;
          const apiVersion = group ? `${group}/${version}` : version;
          return (list.resources ?? [])
            .filter((r) => typeof r.name === 'string' && !r.name.includes('/') && typeof r.kind === 'string')
            .map((r) => ({ group, version, apiVersion, kind: r.kind!, resource: r.name!, namespaced: r.namespaced === true, verbs: r.verbs ?? [] }));
        } catch (e) {
          if (e instanceof ClusterApiError && e.status !== 401) return { group, version, error: e };
          throw e;
        }
      })();
      this.versions.set(key, p);
    }
    return p;
  }

  /**
   * Where a kind is served: the first version (preferred first) that has it. Undefined when
   * the server does not serve it; a failure when a version that might have it could not be read.
   */
  async resolve(group: string, kind: string): Promise<ApiResource | DiscoveryFailure | undefined> {
    const info = (await this.groupList()).get(group);
    if (!info) return undefined;
    let failure: DiscoveryFailure | undefined;
    for (const v of info.versions) {
      const resources = await this.groupVersion(group, v);
      if (!Array.isArray(resources)) {
        failure ??= resources;
        continue;
      }
      const found = resources.find((r) => r.kind === kind);
      if (found) return found;
    }
    return failure;
  }

  /**
   * Resolves a name a policy uses: a kind ("Deployment"), a plural resource ("deployments"),
   * optionally prefixed by its group or group/version ("apps/deployments", "apps/v1/Deployment").
   * Searches every served group when no group is given.
   */
  async resolveName(name: string): Promise<ApiResource | undefined> {
    const parts = name.split('/');
    const last = parts[parts.length - 1]!;
    const groups = await this.groupList();
    const candidates = parts.length > 1 ? [parts[0] === 'core' || parts[0] === 'v1' ? '' : parts[0]!] : [...groups.keys()];
    for (const g of candidates) {
      const info = groups.get(g);
      if (!info) continue;
      for (const v of info.versions) {
        const resources = await this.groupVersion(g, v);
        if (!Array.isArray(resources)) continue;
        const found = resources.find((r) => r.kind === last || r.resource === last.toLowerCase());
        if (found) return found;
      }
    }
    return undefined;
  }
}

export function isDiscoveryFailure(x: ApiResource | DiscoveryFailure | undefined): x is DiscoveryFailure {
  return !!x && 'error' in x;
}

/** URL path of a resource's cluster-wide collection. */
export function collectionPath(r: ApiResource): string {
  return r.group ? `/apis/${r.group}/${r.version}/${r.resource}` : `/api/${r.version}/${r.resource}`;
}
