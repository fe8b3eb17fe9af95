// Counts, before execution, how many metric values an operation asks for:
// each metric-bearing field's points times the fan-out of the lists above it
// (teams, members, customer pages). A request over the limit is refused with
// the count and the limit, not run — e.g. ten years of daily trends for every
// customer.
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

export function metricCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  counts: SubjectCounts,
): number {
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
      total += multiplier * pointsOf(def.name, sel, variables, type.name);
      // Rankings and scorecards score every subject of the level: count them as a dashboard would.
      if (def.name === "ranking" || def.name === "scorecard" || def.name === "report" || def.name === "embeddedScorecards") total += multiplier * 20 * Math.max(counts.teams, counts.members, 1);
      if (sel.selectionSet) {
        const inner = getNamedType(def.type);
        if ("getFields" in inner) total += walk(sel.selectionSet, inner as GraphQLObjectType, multiplier * fanOut(type.name, sel, def, counts, variables));
      }
    }
    return total;
  };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  return root ? walk(operation.selectionSet, root, 1) : 0;
}

/** Does the operation name any metric-bearing field at all (skip the subject counts otherwise)? */
export function mentionsMetrics(source: string): boolean {
  return /\b(metric|metrics|trend|kpis|breakdown|scorecard|ranking|report|embeddedScorecards)\b/.test(source);
}
