// Counts, before execution, how many metric values an operation asks for:
// each metric-bearing field's points times the fan-out of the lists above it
// (teams, members, customer pages), plus every distinct framework ranking the
// operation needs (items × subjects of the framework's level: a customer-level
// ranking scores every customer). A request over the limit is refused with
// the count and the limit, not run — e.g. ten years of daily trends for every
// customer, or sixty aliased customer rankings.
import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLNamedType,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export interface SubjectCounts {
  teams: number;
  members: number;
  customers: number;
}

/** What costing a framework's ranking needs: whose subjects it scores, and how many items each. */
export interface FrameworkShape {
  level: "company" | "team" | "member" | "customer";
  items: number;
}

/**
 * Frameworks by key, looked up before costing (useMetricCostLimit loads the ones an operation
 * names); undefined: no such framework (the field will fail without scoring anything).
 */
export type FrameworkShapes = ReadonlyMap<string, FrameworkShape>;

/** Fields that score a whole framework's ranking: they take a `framework:` key (embeddedScorecards: the token's). */
const RANKING_FIELD = "framework";

/** Subjects a ranking of this level scores. */
function subjectsOf(level: FrameworkShape["level"], counts: SubjectCounts): number {
  switch (level) {
    case "company":
      return 1;
    case "team":
      return counts.teams;
    case "member":
      return counts.members;
    case "customer":
      return counts.customers;
  }
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => argValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, argValue(f.value, variables)]));
    case Kind.BOOLEAN:
      return node.value;
    default:
      return undefined;
  }
}

function arg(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  return argValue(field.arguments?.find((a) => a.name.value === name)?.value, variables);
}

// Types are unwrapped by shape, not with graphql's getNamedType: that uses
// instanceof, and the schema (built by Pothos) may come from another copy of
// graphql than this module's (CJS vs ESM under vitest) — "from another realm".
function getNamedType(type: GraphQLType): GraphQLNamedType {
  let t: GraphQLType = type;
  while ("ofType" in t && t.ofType) t = t.ofType as GraphQLType;
  return t as GraphQLNamedType;
}

/** How many items a list or connection field may return. */
function fanOut(parent: string, field: FieldNode, def: GraphQLField<unknown, unknown>, counts: SubjectCounts, vars: Record<string, unknown>): number {
  const name = def.name;
  if (name === "teams") return counts.teams;
  // nodes(ids:) returns one item per id: a list of customers, each with trends, costs per id.
  if (name === "nodes") {
    const ids = arg(field, "ids", vars);
    return Array.isArray(ids) ? Math.max(1, ids.length) : 1;
  }
  if (name === "members") return parent === "Company" ? counts.members : Math.max(1, Math.ceil(counts.members / Math.max(1, counts.teams)));
  if (getNamedType(def.type).name.endsWith("Connection")) {
    const first = arg(field, "first", vars) ?? arg(field, "last", vars);
    return Math.min(typeof first === "number" ? first : DEFAULT_PAGE, MAX_PAGE);
  }
  return 1;
}

/** Metric values one field computes for one subject. */
function pointsOf(name: string, field: FieldNode, vars: Record<string, unknown>, parentType: string): number {
  switch (name) {
    case "metric":
      return 2; // value and previous period
    case "metrics": {
      const keys = arg(field, "keys", vars);
      return 2 * (Array.isArray(keys) ? keys.length : 1);
    }
    case "trend": {
      const last = arg(field, "last", vars);
      return typeof last === "number" && last > 0 ? last : 1;
    }
    case "breakdown":
      return 10;
    default:
      return parentType === "Kpis" ? 2 : 0;
  }
}

/**
 * Framework keys an operation's ranking fields name (literal or variable), for loading their
 * shapes before metricCost runs.
 */
export function frameworkKeysOf(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): Set<string> {
  const keys = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments[sel.name.value];
        if (frag && !seen.has(frag.name.value)) {
          seen.add(frag.name.value);
          walk(frag.selectionSet);
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else {
        const key = arg(sel, RANKING_FIELD, variables);
        if (typeof key === "string") keys.add(key);
        if (sel.selectionSet) walk(sel.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return keys;
}

export interface RankingContext {
  /** Shapes of the frameworks the operation names (frameworkKeysOf). */
  frameworks: FrameworkShapes;
  /** An embed token's framework: what embeddedScorecards ranks. */
  embedFramework?: string;
}

export function metricCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  counts: SubjectCounts,
  rankings: RankingContext = { frameworks: new Map() },
): number {
  // A request computes each distinct ranking (framework, version, period, …) once (schema/scorecard.ts
  // memoises it), however many fields or aliases ask for it; each costs every subject of the
  // framework's level × its items: 60 aliased customer rankings over other periods are 60 × customers × items.
  const distinctRankings = new Map<string, number>();
  const mutationType = schema.getMutationType();
  const rankingCost = (field: FieldNode, fieldName: string): number => {
    const key = fieldName === "embeddedScorecards" ? rankings.embedFramework : arg(field, RANKING_FIELD, variables);
    if (typeof key !== "string") return 0;
    const shape = rankings.frameworks.get(key);
    // Unknown framework: the field fails before scoring anything.
    if (!shape) return 0;
    const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, argValue(a.value, variables)]));
    delete args.first;
    const id = JSON.stringify([key, args]);
    if (!distinctRankings.has(id)) distinctRankings.set(id, Math.max(1, shape.items) * Math.max(1, subjectsOf(shape.level, counts)));
    return 0;
  };
  const walk = (set: SelectionSetNode, type: GraphQLObjectType, multiplier: number): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments[sel.name.value];
        const t = frag && schema.getType(frag.typeCondition.name.value);
        if (frag && t && "getFields" in t) total += walk(frag.selectionSet, t as GraphQLObjectType, multiplier);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        if (t && "getFields" in t) total += walk(sel.selectionSet, t as GraphQLObjectType, multiplier);
        continue;
      }
      const def = type.getFields()[sel.name.value];
      if (!def) continue;
      // Mutations that take a framework key (createEmbedToken, setRating) store things; they score nothing.
      if (def.name === "embeddedScorecards" || (type !== mutationType && def.args.some((a) => a.name === RANKING_FIELD))) {
        total += rankingCost(sel, def.name);
      } else {
        total += multiplier * pointsOf(def.name, sel, variables, type.name);
      }
      if (sel.selectionSet) {
        const inner = getNamedType(def.type);
        if ("getFields" in inner) total += walk(sel.selectionSet, inner as GraphQLObjectType, multiplier * fanOut(type.name, sel, def, counts, variables));
      }
    }
    return total;
  };
  const root = operation.operation === "mutation" ? mutationType : schema.getQueryType();
  const fields = root ? walk(operation.selectionSet, root, 1) : 0;
  let ranked = 0;
  for (const cost of distinctRankings.values()) ranked += cost;
  return fields + ranked;
}

/** Does the operation name any metric-bearing field at all (skip the subject counts otherwise)? */
export function mentionsMetrics(source: string): boolean {
  // "framework": any field taking a framework key scores that framework's ranking.
  return /\b(metric|metrics|trend|kpis|breakdown|scorecard|ranking|report|embeddedScorecards|framework)\b/.test(source);
}
