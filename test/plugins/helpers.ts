// Shared by the plugin tests: query a KPI through the real GraphQL endpoint for
// the company or for a team, member or customer (by Relay global ID), and look
// subjects' IDs up by name.
import { dataOf, type GraphQLResponse, type TestApp, type TestCompany } from "../helpers/app.js";

export interface PeriodArg {
  grain: "DAY" | "WEEK" | "MONTH" | "QUARTER" | "YEAR" | "CUSTOM";
  date?: string;
  from?: string;
  to?: string;
}

export const month = (date: string): PeriodArg => ({ grain: "MONTH", date });
export const quarter = (date: string): PeriodArg => ({ grain: "QUARTER", date });

export interface MetricResult {
  value: number | null;
  label: string | null;
  reason: string | null;
  previous: number | null;
  score: number | null;
}

export interface Slice {
  key: string;
  value: number | null;
  label: string | null;
  reason: string | null;
}

const FIELDS = "value label reason previous score";

export interface Subjects {
  teams: Record<string, string>;
  members: Record<string, string>;
  customers: Record<string, string>;
}

export interface MetricClient {
  /** Relay IDs of the company's teams, members and customers, by name. */
  subjects(): Promise<Subjects>;
  /** A KPI for the company. */
  company(key: string, period: PeriodArg): Promise<MetricResult>;
  /** A KPI for a team, member or customer. */
  of(id: string, key: string, period: PeriodArg): Promise<MetricResult>;
  /** A KPI's breakdown for the company, or for a subject when `id` is given. */
  breakdown(key: string, period: PeriodArg, by: string, id?: string): Promise<Slice[]>;
  /** The raw response of a subject's metric (to check errors). */
  raw(id: string, key: string, period: PeriodArg): Promise<GraphQLResponse<{ node: { metric: MetricResult | null } | null }>>;
}

const NODE_QUERY = `query($id: ID!, $key: String!, $p: PeriodInput!) { node(id: $id) {
  ... on Team { metric(key: $key, period: $p) { ${FIELDS} } }
  ... on Member { metric(key: $key, period: $p) { ${FIELDS} } }
  ... on Customer { metric(key: $key, period: $p) { ${FIELDS} } } } }`;

const NODE_BREAKDOWN = `query($id: ID!, $key: String!, $p: PeriodInput!, $by: Dimension!) { node(id: $id) {
  ... on Team { metric(key: $key, period: $p) { breakdown(by: $by) { key value label reason } } }
  ... on Member { metric(key: $key, period: $p) { breakdown(by: $by) { key value label reason } } }
  ... on Customer { metric(key: $key, period: $p) { breakdown(by: $by) { key value label reason } } } } }`;

export function metricClient(t: TestApp, co: TestCompany): MetricClient {
  const key = co.keys.viewer;
  let cached: Subjects | undefined;
  return {
    async subjects() {
      if (cached) return cached;
      const data = dataOf(
        await t.gql<{
          company: {
            teams: { id: string; name: string }[];
            members: { id: string; name: string }[];
            customers: { edges: { node: { id: string; name: string } }[] };
          };
        }>("{ company { teams { id name } members { id name } customers(first: 100) { edges { node { id name } } } } }", {}, key),
      );
      const byName = (list: { id: string; name: string }[]) => Object.fromEntries(list.map((x) => [x.name, x.id]));
      cached = {
        teams: byName(data.company.teams),
        members: byName(data.company.members),
        customers: byName(data.company.customers.edges.map((e) => e.node)),
      };
      return cached;
    },
    async company(metric, period) {
      const data = dataOf(
        await t.gql<{ company: { metric: MetricResult } }>(
          `query($key: String!, $p: PeriodInput!) { company { metric(key: $key, period: $p) { ${FIELDS} } } }`,
          { key: metric, p: period },
          key,
        ),
      );
      return data.company.metric;
    },
    async of(id, metric, period) {
      const data = dataOf(await t.gql<{ node: { metric: MetricResult } }>(NODE_QUERY, { id, key: metric, p: period }, key));
      return data.node.metric;
    },
    async breakdown(metric, period, by, id) {
      if (id) {
        const data = dataOf(
          await t.gql<{ node: { metric: { breakdown: Slice[] } } }>(NODE_BREAKDOWN, { id, key: metric, p: period, by }, key),
        );
        return data.node.metric.breakdown;
      }
      const data = dataOf(
        await t.gql<{ company: { metric: { breakdown: Slice[] } } }>(
          `query($key: String!, $p: PeriodInput!, $by: Dimension!) { company { metric(key: $key, period: $p) {
            breakdown(by: $by) { key value label reason } } } }`,
          { key: metric, p: period, by },
          key,
        ),
      );
      return data.company.metric.breakdown;
    },
    raw(id, metric, period) {
      return t.gql<{ node: { metric: MetricResult | null } | null }>(NODE_QUERY, { id, key: metric, p: period }, key);
    },
  };
}

/** Shorthand for a UTC instant. */
export const at = (iso: string): Date => new Date(iso.endsWith("Z") ? iso : `${iso}Z`);
