// Per-company catalogues (built-ins + the company's own plugins), compiled once
// and kept in a bounded LRU. An entry is tagged with the company's catalogue
// version; a request carrying a newer version rebuilds that company only.
// Entries are whole promises: a request sees the old catalogue or the new
// one, never a half-built one, and concurrent requests share one build.
import { LRUCache } from "lru-cache";
import { catalogOf, registerPlugin, type Catalog, type RegisteredPlugin } from "./registry.js";

export interface StoredPlugin {
  key: string;
  version: number;
  document: unknown;
}

/** Latest enabled version of each of a company's plugins. */
export type PluginSource = (companyId: string) => Promise<StoredPlugin[]>;

interface Entry {
  version: number;
  catalog: Promise<Catalog>;
}

export class CatalogCache {
  private readonly entries: LRUCache<string, Entry>;
  builds = 0;

  constructor(
    private readonly source: PluginSource,
    options: { max: number },
  ) {
    this.entries = new LRUCache<string, Entry>({ max: options.max });
  }

  get(companyId: string, version: number): Promise<Catalog> {
    const hit = this.entries.get(companyId);
    if (hit && hit.version >= version) return hit.catalog;
    const catalog = this.build(companyId);
    const entry = { version, catalog };
    this.entries.set(companyId, entry);
    // A failed build must not stay cached.
    catalog.catch(() => {
      if (this.entries.get(companyId) === entry) this.entries.delete(companyId);
    });
    return catalog;
  }

  invalidate(companyId: string): void {
    this.entries.delete(companyId);
  }

  get size(): number {
    return this.entries.size;
  }

  private async build(companyId: string): Promise<Catalog> {
    this.builds++;
    const own = new Map<string, RegisteredPlugin>();
    for (const p of await this.source(companyId)) {
      own.set(p.key, registerPlugin(p.document, { builtIn: false, version: p.version }));
    }
    return catalogOf(own);
  }
}
