// Per-company schemas: a company's own KPI plugins appear as typed fields under
// `kpis { … }`, as built-ins do. Everything that does not differ is shared with
// the base schema by identity — every type that cannot reach `Kpis`, every
// resolver, the compiled plugins — so a company's schema costs a handful of
// rebuilt type objects, not a copy of the schema (issue 10: 1,000 tenants in
// one process). Schemas live in an LRU keyed by company and tagged with the
// catalogue version; a rebuild swaps the entry whole, so no request ever sees
// a half-built schema.
import {
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from "graphql";
import { LRUCache } from "lru-cache";
import type { Catalog, RegisteredPlugin } from "../metrics/registry.js";
import type { Context } from "./context.js";
import { evaluate, kpiFieldName, type PeriodArg, type Subject } from "./metric.js";

const KPIS = "Kpis";

/** Object types from which `Kpis` can be reached through output fields (they must be rebuilt). */
function typesReaching(schema: GraphQLSchema, target: string): Set<string> {
  const edges = new Map<string, Set<string>>();
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t) && !isInterfaceType(t)) continue;
    for (const f of Object.values(t.getFields())) {
      let inner: GraphQLOutputType = f.type;
      while (isNonNullType(inner) || isListType(inner)) inner = inner.ofType as GraphQLOutputType;
      const name = (inner as GraphQLNamedType).name;
      if (!edges.has(name)) edges.set(name, new Set());
      edges.get(name)!.add(t.name);
    }
  }
  const reach = new Set<string>([target]);
  const queue = [target];
  while (queue.length) {
    for (const parent of edges.get(queue.pop()!) ?? []) {
      if (!reach.has(parent) && isObjectType(schema.getType(parent))) {
        reach.add(parent);
        queue.push(parent);
      }
    }
  }
  return reach;
}

function customKpiField(base: GraphQLSchema, p: RegisteredPlugin): GraphQLFieldConfig<Subject, Context, { period: PeriodArg }> {
  const kpis = base.getType(KPIS) as GraphQLObjectType;
  // The built-in fields' argument and result types are the ones a custom field uses too.
  const template = Object.values(kpis.getFields())[0]!;
  return {
    type: template.type,
    description: `${p.plugin.name} (${p.plugin.unit}, your company's plugin v${p.version}). ${p.plugin.description}`,
    args: Object.fromEntries(template.args.map((a) => [a.name, { type: a.type, description: a.description }])),
    resolve: (subject, { period }, ctx, info) => (p.plugin.subjects.includes(subject.level) ? evaluate(ctx, p.plugin.key, subject, period, info) : null),
  };
}

/** Does a field's type mention a type that is rebuilt for the company? */
function mentions(type: GraphQLOutputType, names: Set<string>): boolean {
  while (isNonNullType(type) || isListType(type)) type = type.ofType as GraphQLOutputType;
  return names.has((type as GraphQLNamedType).name);
}

type FieldMapHolder = { _fields?: unknown };

export function deriveSchema(base: GraphQLSchema, reach: Set<string>, custom: RegisteredPlugin[]): GraphQLSchema {
  const rebuilt = new Map<string, GraphQLObjectType>();
  const swap = (type: GraphQLOutputType): GraphQLOutputType => {
    if (isNonNullType(type)) return new GraphQLNonNull(swap(type.ofType));
    if (isListType(type)) return new GraphQLList(swap(type.ofType));
    return rebuilt.get((type as GraphQLNamedType).name) ?? type;
  };
  for (const name of reach) {
    const baseType = base.getType(name) as GraphQLObjectType;
    const config = baseType.toConfig();
    const changed = Object.entries(config.fields).filter(([, f]) => mentions(f.type, reach));
    const type = new GraphQLObjectType({
      ...config,
      // Only the fields that point at rebuilt types (and Kpis' custom fields) are new.
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        for (const [fname, f] of changed) fields[fname] = { ...f, type: swap(f.type) };
        if (name === KPIS) for (const p of custom) fields[kpiFieldName(p.plugin.key)] = customKpiField(base, p) as GraphQLFieldConfig<unknown, unknown>;
        return fields;
      },
    });
    // Memory (issue 10): every other field keeps the base schema's field object. graphql-js 16
    // builds a type's field map lazily into `_fields`; seed it with the shared objects and let
    // the thunk above build only the new ones.
    const holder = type as unknown as FieldMapHolder;
    if (typeof holder._fields === "function") {
      const build = holder._fields as () => Record<string, unknown>;
      holder._fields = () => ({ ...baseType.getFields(), ...build() });
    }
    rebuilt.set(name, type);
  }
  const config = base.toConfig();
  const pick = <T extends GraphQLNamedType | null | undefined>(t: T): T => (t ? ((rebuilt.get(t.name) as unknown as T) ?? t) : t);
  return new GraphQLSchema({
    ...config,
    query: pick(config.query),
    mutation: pick(config.mutation),
    types: config.types.map((t) => rebuilt.get(t.name) ?? t),
  });
}

export class TenantSchemas {
  private readonly entries: LRUCache<string, { version: number; schema: GraphQLSchema }>;
  private readonly reach: Set<string>;
  builds = 0;

  constructor(
    private readonly base: GraphQLSchema,
    options: { max: number },
  ) {
    this.entries = new LRUCache({ max: options.max });
    this.reach = typesReaching(base, KPIS);
  }

  /** The schema a company's requests run against (the base one when it has no plugins of its own). */
  schemaFor(companyId: string, version: number, catalog: Catalog): GraphQLSchema {
    const own = catalog.list().filter((p) => !p.builtIn);
    if (own.length === 0) return this.base;
    const hit = this.entries.get(companyId);
    if (hit && hit.version >= version) return hit.schema;
    const schema = deriveSchema(this.base, this.reach, own);
    this.builds++;
    this.entries.set(companyId, { version, schema });
    return schema;
  }

  get size(): number {
    return this.entries.size;
  }
}
