import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, dataOf, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { FILE_PATH, globalId, openAuthApp, rowCounts, SQL, STACK, type AuthTestApp, type Call } from "./support.js";

// Hundreds of generated malformed inputs, each sent through the endpoint with an
// admin key. Every one must come back with errors that carry a code (never
// INTERNAL_SERVER_ERROR) and say what is wrong, leak no stack, SQL or path, and
// the whole batch must leave every table as it was.

interface Case {
  label: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Bearer token; default the admin key, null for none. */
  token?: string | null;
  url?: string;
  /** Acceptable codes for the first error. */
  codes?: readonly string[];
  /** The field the error must name: extensions.field, or a path of extensions.issues, related to it. */
  field?: string;
  /** The whole request must be refused (no data at all). */
  refused?: boolean;
}

const DEL = Symbol("delete");
const HUGE = "x".repeat(100_000);
// graphql-js' own refusals (validation of literals against the schema).
const GRAPHQL = ["GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"] as const;
// Codes our resolvers raise, which always carry extensions.field.
const OWN_CODES = new Set(["INVALID_PLUGIN", "INVALID_FRAMEWORK", "BAD_PERIOD", "BAD_USER_INPUT", "NOT_FOUND", "UNKNOWN_METRIC",
  "UNSUPPORTED_SUBJECT", "UNSUPPORTED_BREAKDOWN", "WRONG_LEVEL", "PLUGIN_IN_USE"]);

function describeValue(v: unknown): string {
  if (v === DEL) return "(deleted)";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 30)}… (${s.length} chars)` : s;
}

function withPath(doc: object, path: string, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === DEL) delete node[last];
  else node[last] = value;
  return copy;
}

/** One case per (path, bad value): the document with that one field deleted or replaced. */
function documentCases(mutation: string, base: object, spec: Record<string, readonly unknown[]>, code: string): Case[] {
  const out: Case[] = [];
  for (const [path, values] of Object.entries(spec)) {
    for (const value of values) {
      out.push({
        label: `${mutation}: ${path} = ${describeValue(value)}`,
        query: `mutation($d: JSON!) { ${mutation}(document: $d) { key } }`,
        variables: { d: withPath(base, path, value) },
        codes: [code],
        // An unknown top-level key is a fault of the document as a whole.
        field: path === "extra" ? "(document)" : path,
      });
    }
  }
  return out;
}

// A valid plugin (registered as "valid_kpi" before the batch, to prove it); every
// case below breaks exactly one thing of it, under the key "probe_kpi".
const PLUGIN = {
  key: "probe_kpi", name: "Probe", description: "Web revenue × factor", category: "sales", unit: "currency", direction: "higher_is_better",
  subjects: ["company", "team"], params: { factor: 2 },
  measures: { s: { source: "orders", aggregate: "sum", field: "amount", where: { channel: "web", amount: { gte: 0 } }, offset: "none", whole: false } },
  formula: "s * params.factor", breakdowns: ["channel"], score: { method: "target", target: 100 }, weight: 0.1, reference: "internal",
};
const MEASURE = PLUGIN.measures.s;

const PLUGIN_SPEC: Record<string, readonly unknown[]> = {
  key: [DEL, null, 42, true, [], {}, "", "A", "1abc", "has space", "has-dash", "k".repeat(64), HUGE, "revenue", "valid_kpi", "ünï"],
  name: [DEL, null, 42, true, [], {}, "", HUGE],
  description: [null, 42, true, [], {}, HUGE],
  category: [null, 42, [], {}, "c".repeat(61), HUGE],
  unit: [DEL, null, 42, [], {}, "", "dollars", "PERCENT", HUGE],
  direction: [null, 42, [], {}, "up", HUGE],
  subjects: [DEL, null, 42, "company", {}, [], ["planet"], [1], ["company", null], [HUGE]],
  params: [null, 42, "x", [], { "1bad": 1 }, { factor: "2" }, { factor: null }, { factor: [2] }, { factor: { n: 2 } }],
  measures: [
    DEL, null, 42, "x", [], {}, HUGE,
    { "1bad": MEASURE, s: MEASURE }, { "bad-name": MEASURE, s: MEASURE },
    Object.fromEntries([["s", MEASURE], ...Array.from({ length: 20 }, (_, i) => [`m${i}`, MEASURE])]),
  ],
  formula: [
    DEL, null, 42, [], {}, "", "s ".repeat(2100),
    "s +", "((s", "s )", "[1, 2", "s ? : 1", "\"open", "s = = 1", "function(", "}{",
    "t", "s + t", "s + params.factor + unknownMeasure",
    "($f := function($x) { $f($x + 1) }; $f(s))",
    "($f := function($x) { $x > 0 ? $f($x - 1) + 1 : 0 }; $f(100000)) + s",
    "$count([1..100000000]) + s", "$sum([0..10001]) + s",
  ],
  breakdowns: [null, 42, "channel", {}, ["nope"], ["surveyKind"], [1], [HUGE]],
  score: [
    null, 42, "quantile", [], {}, { method: "nope" }, { method: "target" }, { method: "target", target: "1" },
    { method: "target", target: 1, worst: 1 }, { method: "target", target: 1, extra: 1 }, { method: "bands", bands: [] },
    { method: "bands", bands: [{ score: 101 }] }, { method: "bands", bands: [{ min: "0", score: 1 }] },
    { method: "bands", bands: Array.from({ length: 21 }, (_, i) => ({ min: i, score: 50 })) },
    { method: "expression" }, { method: "expression", expression: "" }, { method: "expression", expression: "(((" },
    { method: "expression", expression: HUGE }, { method: "quantile", target: 1 },
  ],
  weight: [null, "0.1", [], {}, -0.1, 1.5, 1e308, HUGE],
  reference: [null, 42, [], {}, "r".repeat(501), HUGE],
  extra: [1, "x"],
  "measures.s.source": [DEL, null, 42, [], {}, "", "nope", "Orders", "__proto__", "constructor", "orders; DROP TABLE orders", HUGE],
  "measures.s.aggregate": [DEL, null, 42, "", "median", "SUM", "count(*)", HUGE],
  "measures.s.field": [DEL, null, 42, [], {}, "", "colour", "amount; DROP TABLE orders", "t.amount", "AMOUNT", "product", HUGE],
  "measures.s.percentile": [0.5, -1, 2, "0.5", null],
  "measures.s.where": [
    null, 42, "x", [], { nope: 1 }, { amount: {} }, { amount: { like: "%" } }, { amount: { gte: "1" } }, { amount: "100" },
    { channel: { gt: 1 } }, { channel: { in: [] } }, { channel: { in: Array.from({ length: 101 }, (_, i) => `c${i}`) } }, { channel: 42 },
    { channel: { eq: null } }, { channel: { eq: "x".repeat(201) } }, { channel: { isNull: "yes" } }, { channel: [["a"]] }, { channel: HUGE },
  ],
  "measures.s.time": [42, "", "createdAt", "amount", null],
  "measures.s.at": ["periodStart", "now", 42, null],
  "measures.s.offset": ["yesterday", 42, null, ""],
  "measures.s.whole": ["yes", 42, null, []],
  "measures.s.colour": ["red"],
};

const FRAMEWORK = {
  key: "fw_probe", name: "Probe review", description: "A valid framework", level: "team",
  items: [{ kpi: "revenue", weight: 2, score: { method: "target", target: 1000 } }, { rating: "quality", name: "Quality", weight: 1, scale: 5 }],
  grades: [{ min: 90, grade: "excellent" }, { min: 0, grade: "fail" }],
  missing: "renormalize",
};
const RATING = FRAMEWORK.items[1]!;

const FRAMEWORK_SPEC: Record<string, readonly unknown[]> = {
  key: [DEL, null, 42, "", "A", "1x", "x-y", HUGE, "fw_valid"],
  name: [DEL, null, 42, "", HUGE],
  description: [null, 42, HUGE],
  level: [DEL, null, 42, "region", "planet", ""],
  items: [
    DEL, null, 42, "x", {}, [], Array.from({ length: 51 }, (_, i) => ({ rating: `r${i}`, weight: 1 })), [{}], [null], [42],
    [{ kpi: "nope", weight: 1 }], [{ kpi: "rfm", weight: 1 }], [{ kpi: "revenue", weight: 1 }, { kpi: "revenue", weight: 1 }],
    [{ kpi: "revenue", weight: -1 }], [{ kpi: "revenue", weight: 1001 }], [{ kpi: "revenue", weight: "1" }], [{ kpi: "revenue", weight: 0 }],
    [{ kpi: "", weight: 1 }], [{ kpi: "revenue", rating: "x", weight: 1 }], [{ rating: "Bad Name", weight: 1 }],
    [{ rating: "ok", weight: 1, scale: 1 }], [{ rating: "ok", weight: 1, scale: 101 }], [{ rating: "ok", weight: 1, scale: 2.5 }], [{ rating: "ok" }],
    [{ kpi: "revenue", weight: 1, score: { method: "nope" } }], [{ kpi: "revenue", weight: 1, score: { method: "expression", expression: "(((" } }],
    [{ kpi: "revenue", weight: 1, extra: 1 }], [RATING, RATING],
  ],
  grades: [
    null, 42, [], Array.from({ length: 11 }, (_, i) => ({ min: 100 - i * 10, grade: `g${i}` })), [{ min: 101, grade: "x" }, { min: 0, grade: "f" }],
    [{ min: 0, grade: "" }], [{ min: 50, grade: "x" }], [{ min: 0, grade: "a" }, { min: 50, grade: "b" }], [{ min: "0", grade: "a" }],
    [{ min: 0, grade: "a", extra: 1 }], [{ min: 0, grade: HUGE }],
  ],
  missing: [null, 42, "drop", ""],
  extra: [true],
  "items.0.score": [{ method: "bands", bands: [] }, { method: "target" }, 42],
  "items.1.scale": [0, "5", null],
};

const IDS = [
  "random", "", "%%%", "x".repeat(10_000), "00000000-0000-0000-0000-000000000000", "123",
  globalId("Team", "not-a-uuid"), globalId("Nope", "123"), globalId("Team", ""), globalId("Customer", "' OR 1=1 --"),
  Buffer.from("Team").toString("base64"), globalId("ApiKey", "00000000-0000-4000-8000-000000000000"),
];

/** A GraphQL literal for a period object (grain is an enum unless given as a non-identifier). */
function periodLiteral(p: Record<string, unknown>): string {
  return `{ ${Object.entries(p).map(([k, v]) => `${k}: ${k === "grain" && typeof v === "string" && /^[A-Z]+$/.test(v) ? v : JSON.stringify(v)}`).join(", ")} }`;
}

function periodCases(): Case[] {
  const bad: [Record<string, unknown>, string | undefined, readonly string[]][] = [
    [{ grain: "HOUR" }, undefined, GRAPHQL],
    [{ grain: "month" }, undefined, GRAPHQL],
    [{ date: "2026-01-01" }, undefined, GRAPHQL],
    [{ grain: "MONTH", date: 20260101 }, undefined, GRAPHQL],
    [{ grain: "MONTH", date: null, extra: "x" }, undefined, GRAPHQL],
    ...["2026-02-30", "26-1-1", "2026-13-01", "2026-00-10", "yesterday", "2026/01/01", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-1-1", "x".repeat(10_000)]
      .map((date): [Record<string, unknown>, string, readonly string[]] => [{ grain: "MONTH", date }, "period.date", ["BAD_PERIOD"]]),
    [{ grain: "DAY", date: "2025-02-29" }, "period.date", ["BAD_PERIOD"]],
    [{ grain: "DAY", from: "2026-01-01", to: "2026-01-31" }, "period", ["BAD_PERIOD"]],
    [{ grain: "WEEK", to: "2026-01-31" }, "period", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM" }, "period", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2026-01-01" }, "period", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", to: "2026-01-01" }, "period", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2026-01-01", to: "2026-01-31", date: "2026-01-15" }, "period.date", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2026-03-01", to: "2026-01-01" }, "period.to", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2000-01-01", to: "2026-01-01" }, "period", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2026-02-30", to: "2026-03-31" }, "period.from", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "2026-01-01", to: "2026-13-01" }, "period.to", ["BAD_PERIOD"]],
    [{ grain: "CUSTOM", from: "", to: "" }, "period", ["BAD_PERIOD"]],
  ];
  const out: Case[] = [];
  for (const [p, field, codes] of bad) {
    const lit = periodLiteral(p);
    out.push({ label: `company.metric period ${describeValue(p)}`, query: `{ company { metric(key: "revenue", period: ${lit}) { value } } }`, codes, field });
    // The same period through other fields that take one.
    if (codes === GRAPHQL) continue;
    out.push({ label: `teams.kpis.revenue period ${describeValue(p)}`, query: `{ company { teams { kpis { revenue(period: ${lit}) { value } } } } }`, codes, field });
    out.push({ label: `ranking period ${describeValue(p)}`, query: `{ company { ranking(framework: "fw_valid", period: ${lit}) { total } } }`, codes, field });
  }
  return out;
}

function metricKeyCases(): Case[] {
  const keys = ["nope", "", "REVENUE", "revenue ", " revenue", "__proto__", "constructor", "toString", "hasOwnProperty", "x".repeat(10_000),
    "'; DROP TABLE orders; --", "valid-kpi", "kpi\u200b"];
  const out: Case[] = [];
  const p = `{ grain: MONTH, date: "2026-03-01" }`;
  for (const k of keys) {
    const d = describeValue(k);
    out.push({ label: `metric(key: ${d})`, query: `query($k: String!) { company { metric(key: $k, period: ${p}) { value } } }`, variables: { k }, codes: ["UNKNOWN_METRIC"], field: "key" });
    out.push({ label: `metrics(keys: [revenue, ${d}])`, query: `query($k: String!) { company { metrics(keys: ["revenue", $k], period: ${p}) { value } } }`, variables: { k }, codes: ["UNKNOWN_METRIC"], field: "key" });
    out.push({ label: `trend(key: ${d})`, query: `query($k: String!) { company { trend(key: $k, grain: MONTH, last: 3, until: "2026-03-31") { value } } }`, variables: { k }, codes: ["UNKNOWN_METRIC"], field: "key" });
  }
  // Known metrics asked of the wrong subject or by the wrong dimension.
  out.push({ label: "rfm of a team", query: `{ company { teams { metric(key: "rfm", period: ${p}) { value } } } }`, codes: ["UNSUPPORTED_SUBJECT"], field: "key" });
  out.push({ label: "revenue broken down by survey kind", query: `{ company { metric(key: "revenue", period: ${p}) { breakdown(by: SURVEY_KIND) { key } } } }`, codes: ["UNSUPPORTED_BREAKDOWN"], field: "by" });
  out.push({ label: "breakdown by an unknown dimension", query: `{ company { metric(key: "revenue", period: ${p}) { breakdown(by: COLOUR) { key } } } }`, codes: GRAPHQL });
  return out;
}

function trendCases(): Case[] {
  const out: Case[] = [];
  for (const last of [0, -1, 100_000, 401, -2_147_483_648]) {
    out.push({ label: `trend(last: ${last})`, query: `{ company { trend(key: "revenue", grain: DAY, last: ${last}) { value } } }`, codes: ["BAD_PERIOD"], field: "last" });
  }
  for (const last of ["2147483648", "\"5\"", "1.5", "null"]) {
    out.push({ label: `trend(last: ${last})`, query: `{ company { trend(key: "revenue", grain: DAY, last: ${last}) { value } } }`, codes: GRAPHQL });
  }
  for (const grain of ["HOUR", "CUSTOM", "\"DAY\""]) {
    out.push({ label: `trend(grain: ${grain})`, query: `{ company { trend(key: "revenue", grain: ${grain}, last: 3) { value } } }`, codes: GRAPHQL });
  }
  for (const until of ["2026-02-30", "tomorrow", "2026-1-1"]) {
    out.push({ label: `trend(until: ${JSON.stringify(until)})`, query: `query($u: String) { company { trend(key: "revenue", grain: MONTH, last: 3, until: $u) { value } } }`,
      variables: { u: until }, codes: ["BAD_PERIOD"], field: "period.date" });
  }
  return out;
}

function idCases(): Case[] {
  const out: Case[] = [];
  for (const id of IDS) {
    const d = describeValue(id);
    out.push({ label: `revokeApiKey(id: ${d})`, query: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, variables: { id }, codes: ["NOT_FOUND"], field: "id" });
    out.push({ label: `revokeEmbedToken(id: ${d})`, query: `mutation($id: ID!) { revokeEmbedToken(id: $id) { id } }`, variables: { id }, codes: ["NOT_FOUND"], field: "id" });
    out.push({
      label: `createEmbedToken(subjects: [${d}])`,
      query: `mutation($id: ID!) { createEmbedToken(framework: "fw_valid", subjects: [$id]) { token } }`,
      variables: { id },
      codes: ["BAD_USER_INPUT", "NOT_FOUND"],
      field: "subjects",
    });
  }
  out.push({ label: "revokeApiKey(id: 123) as an Int literal", query: `mutation { revokeApiKey(id: 123) { id } }`, codes: ["NOT_FOUND"], field: "id" });
  out.push({ label: "revokeApiKey(id: 1.5)", query: `mutation { revokeApiKey(id: 1.5) { id } }`, codes: GRAPHQL });
  out.push({ label: "createEmbedToken(subjects: [])", query: `mutation { createEmbedToken(framework: "fw_valid", subjects: []) { token } }`, codes: ["BAD_USER_INPUT"], field: "subjects" });
  return out;
}

function mutationArgumentCases(): Case[] {
  const out: Case[] = [];
  for (const name of ["", "   ", "x".repeat(101), "x".repeat(500), "a\u0000b", "tab\there", "line\nbreak", "\u007f"]) {
    out.push({ label: `createApiKey(name: ${describeValue(name)})`, query: `mutation($n: String!) { createApiKey(name: $n, role: VIEWER) { key } }`,
      variables: { n: name }, codes: ["BAD_USER_INPUT"], field: "name" });
  }
  for (const role of ["SUPERUSER", "admin", "\"ADMIN\"", "EMBED"]) {
    out.push({ label: `createApiKey(role: ${role})`, query: `mutation { createApiKey(name: "x", role: ${role}) { key } }`, codes: GRAPHQL });
  }
  for (const hours of [0, -1, 24 * 366 + 1, 2_147_483_647]) {
    out.push({ label: `createEmbedToken(expiresInHours: ${hours})`, query: `mutation($s: [ID!]!) { createEmbedToken(framework: "fw_valid", subjects: $s, expiresInHours: ${hours}) { token } }`,
      variables: { s: [] }, codes: ["BAD_USER_INPUT"], field: "expiresInHours" });
  }
  for (const fw of ["nope", "", "FW_VALID", "fw_valid ", "x".repeat(10_000)]) {
    const d = describeValue(fw);
    out.push({ label: `createEmbedToken(framework: ${d})`, query: `mutation($f: String!) { createEmbedToken(framework: $f, subjects: ["x"]) { token } }`,
      variables: { f: fw }, codes: ["NOT_FOUND"], field: "framework" });
    out.push({ label: `ranking(framework: ${d})`, query: `query($f: String!) { company { ranking(framework: $f, period: { grain: MONTH }) { total } } }`,
      variables: { f: fw }, codes: ["NOT_FOUND"], field: "key" });
    out.push({ label: `report(framework: ${d})`, query: `query($f: String!) { company { report(framework: $f, format: CSV, period: { grain: MONTH }) } }`,
      variables: { f: fw }, codes: ["NOT_FOUND"], field: "key" });
  }
  out.push({ label: "ranking of a missing version", query: `{ company { ranking(framework: "fw_valid", version: 99, period: { grain: MONTH }) { total } } }`, codes: ["NOT_FOUND"], field: "key" });
  out.push({ label: "a team framework's scorecard on a customer", query: `{ company { customers(first: 1) { edges { node { scorecard(framework: "fw_valid", period: { grain: MONTH }) { total } } } } } }`,
    codes: ["WRONG_LEVEL"], field: "framework" });
  out.push({ label: "report(format: PDF)", query: `{ company { report(framework: "fw_valid", format: PDF, period: { grain: MONTH }) } }`, codes: GRAPHQL });
  for (const key of ["nope", "", "revenue", "x".repeat(10_000), "FW_VALID"]) {
    const d = describeValue(key);
    out.push({ label: `setMetricPluginEnabled(key: ${d})`, query: `mutation($k: String!) { setMetricPluginEnabled(key: $k, enabled: false) { key } }`,
      variables: { k: key }, codes: ["NOT_FOUND"], field: "key" });
    // "revenue" is a built-in the framework uses: PLUGIN_IN_USE is checked before the company's own plugins.
    out.push({ label: `deleteMetricPlugin(key: ${d})`, query: `mutation($k: String!) { deleteMetricPlugin(key: $k) }`, variables: { k: key },
      codes: key === "revenue" ? ["NOT_FOUND", "PLUGIN_IN_USE"] : ["NOT_FOUND"], field: "key" });
  }
  // Updates: a document whose key differs from the argument, and keys the company lacks.
  out.push({ label: "updateMetricPlugin with another key in the document", query: `mutation($d: JSON!) { updateMetricPlugin(key: "valid_kpi", document: $d) { key } }`,
    variables: { d: PLUGIN }, codes: ["INVALID_PLUGIN"], field: "key" });
  out.push({ label: "updateMetricPlugin of a missing plugin", query: `mutation($d: JSON!) { updateMetricPlugin(key: "probe_kpi", document: $d) { key } }`,
    variables: { d: PLUGIN }, codes: ["NOT_FOUND"], field: "key" });
  out.push({ label: "updateFramework with another key in the document", query: `mutation($d: JSON!) { updateFramework(key: "fw_valid", document: $d) { key } }`,
    variables: { d: FRAMEWORK }, codes: ["INVALID_FRAMEWORK"], field: "key" });
  out.push({ label: "updateFramework of a missing framework", query: `mutation($d: JSON!) { updateFramework(key: "fw_probe", document: $d) { key } }`,
    variables: { d: FRAMEWORK }, codes: ["NOT_FOUND"], field: "key" });
  for (const d of [42, "x", [], true, {}]) {
    out.push({ label: `registerMetricPlugin(document: ${describeValue(d)})`, query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d }, codes: ["INVALID_PLUGIN"], field: Array.isArray(d) || typeof d !== "object" ? "(document)" : undefined });
    out.push({ label: `createFramework(document: ${describeValue(d)})`, query: `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`,
      variables: { d }, codes: ["INVALID_FRAMEWORK"], field: Array.isArray(d) || typeof d !== "object" ? "(document)" : undefined });
  }
  return out;
}

function tokenCases(): Case[] {
  const jwtLike = "eyJhbGciOiJIUzI1NiJ9.eyJjaWQiOiJ4IiwianRpIjoieSJ9.c2lnbmF0dXJl";
  const tokens = [
    "junk", "ys_", "ys_junk", `ys_${"a".repeat(12)}_${"b".repeat(42)}`, `ys_${"a".repeat(12)}_${"b".repeat(43)}`, `ys_${"a".repeat(11)}_${"b".repeat(43)}`,
    `ys_${"a".repeat(12)}_${"b".repeat(43)}x`, "ys_a b", "null", "undefined", "x".repeat(5000), "a.b.c", "a.b.", "..", jwtLike,
    jwtLike.split(".").slice(0, 2).join("."), `${jwtLike.split(".").slice(0, 2).join(".")}.`, jwtLike.slice(0, jwtLike.length - 5),
    `${Buffer.from('{"alg":"none"}').toString("base64url")}.${jwtLike.split(".")[1]}.`, "Bearer ys_x", "ys_.._..",
  ];
  const out: Case[] = tokens.map((token) => ({
    label: `Bearer ${describeValue(token)}`,
    query: "{ company { name } }",
    token,
    codes: ["UNAUTHENTICATED", "TOKEN_INVALID"],
    refused: true,
  }));
  for (const token of ["junk", "a.b.c", jwtLike]) {
    out.push({
      label: `?token=${describeValue(token)}`,
      query: "{ company { name } }",
      token: null,
      url: `http://yardstick.test/graphql?token=${encodeURIComponent(token)}`,
      codes: ["UNAUTHENTICATED", "TOKEN_INVALID"],
      refused: true,
    });
  }
  return out;
}

/** Inputs that once reached PostgreSQL or came back without a code (the report's former todos). */
function edgeCases(): Case[] {
  const NUL = "bad\u0000value";
  const out: Case[] = [
    { label: "node(id: garbage)", query: `{ node(id: "garbage") { id } }`, codes: ["BAD_USER_INPUT"] },
    { label: "node(id: Nope:123)", query: `query($id: ID!) { node(id: $id) { id } }`, variables: { id: globalId("Nope", "123") }, codes: ["BAD_USER_INPUT"] },
    { label: "customers(filter: { team: garbage })", query: `{ company { customers(first: 5, filter: { team: "garbage" }) { totalCount } } }`, codes: ["BAD_USER_INPUT"] },
    { label: "customers(first: -1)", query: `{ company { customers(first: -1) { totalCount } } }`, codes: ["BAD_USER_INPUT"] },
    { label: "variables of the wrong type: grain HOUR", query: `query($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { value } } }`,
      variables: { p: { grain: "HOUR" } }, codes: ["BAD_USER_INPUT"] },
    { label: "variables of the wrong type: null JSON", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, variables: { d: null }, codes: ["BAD_USER_INPUT"] },
    { label: "NUL in a plugin document", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: { ...PLUGIN, name: NUL } }, codes: ["INVALID_PLUGIN"], field: "name" },
    { label: "NUL in a where value", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: withPath(PLUGIN, "measures.s.where", { channel: NUL }) }, codes: ["INVALID_PLUGIN"], field: "measures.s.where.channel" },
    { label: "NUL in a framework document", query: `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`,
      variables: { d: { ...FRAMEWORK, description: NUL } }, codes: ["INVALID_FRAMEWORK"], field: "description" },
    { label: "NUL in nameContains", query: `query($n: String!) { company { customers(first: 5, filter: { nameContains: $n }) { totalCount } } }`,
      variables: { n: NUL }, codes: ["BAD_USER_INPUT"], field: "filter.nameContains" },
    { label: "NUL in a framework key", query: `query($k: String!) { company { ranking(framework: $k, period: { grain: MONTH, date: "2026-03-01" }) { total } } }`,
      variables: { k: NUL }, codes: ["NOT_FOUND"], field: "key" },
    ...(["setMetricPluginEnabled(key: $k, enabled: false) { key }", "updateMetricPlugin(key: $k, document: {}) { key }", "deleteMetricPlugin(key: $k)"] as const).map(
      (m): Case => ({ label: `NUL in a plugin key: ${m.split("(")[0]}`, query: `mutation($k: String!) { ${m} }`, variables: { k: NUL }, codes: ["NOT_FOUND", "INVALID_PLUGIN"] }),
    ),
    { label: "deleteMetricPlugin of a built-in key", query: `mutation { deleteMetricPlugin(key: "revenue") }`, codes: ["NOT_FOUND"], field: "key" },
    ...["constructor", "__proto__", "toString"].map((name): Case => ({
      label: `measure field named ${name}`, query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: withPath(PLUGIN, "measures.s.field", name) }, codes: ["INVALID_PLUGIN"], field: "measures.s.field",
    })),
    ...["constructor", "toString"].map((name): Case => ({
      label: `where key named ${name}`, query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: withPath(PLUGIN, "measures.s.where", { [name]: "x" }) }, codes: ["INVALID_PLUGIN"], field: `measures.s.where.${name}`,
    })),
    { label: "formula naming toString", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: { ...PLUGIN, formula: "s + toString" } }, codes: ["INVALID_PLUGIN"], field: "formula" },
    { label: "empty date", query: `{ company { metric(key: "revenue", period: { grain: MONTH, date: "" }) { value } } }`, codes: ["BAD_PERIOD"], field: "period.date" },
    { label: "empty trend until", query: `{ company { trend(key: "revenue", grain: MONTH, last: 3, until: "") { value } } }`, codes: ["BAD_PERIOD"], field: "period.date" },
    { label: "year 0000", query: `{ company { metric(key: "revenue", period: { grain: MONTH, date: "0000-01-01" }) { value } } }`, codes: ["BAD_PERIOD"], field: "period.date" },
    { label: "YEAR of 9999-12-31", query: `{ company { metric(key: "revenue", period: { grain: YEAR, date: "9999-12-31" }) { value } } }`, codes: ["BAD_PERIOD"], field: "period.date" },
    { label: "range of exactly 10,001 items", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`,
      variables: { d: { ...PLUGIN, formula: "$sum([1..10001]) + s" } }, codes: ["INVALID_PLUGIN"], field: "formula" },
  ];
  return out;
}

const CLASSES: [string, () => Case[]][] = [
  ["plugin documents (registerMetricPlugin)", () => documentCases("registerMetricPlugin", PLUGIN, PLUGIN_SPEC, "INVALID_PLUGIN")],
  ["framework documents (createFramework)", () => documentCases("createFramework", FRAMEWORK, FRAMEWORK_SPEC, "INVALID_FRAMEWORK")],
  ["periods", periodCases],
  ["metric keys", metricKeyCases],
  ["trend arguments", trendCases],
  ["IDs", idCases],
  ["mutation arguments", mutationArgumentCases],
  ["bearer tokens", tokenCases],
  ["edge cases: NUL, prototype names, empty and far dates, global IDs, coercion", edgeCases],
];

/** Paths related to the expected field: equal, or one inside the other. */
function related(path: unknown, field: string): boolean {
  return typeof path === "string" && (path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`));
}

/** Everything wrong with one response; empty when the case is answered as it should be. */
function faultsOf(c: Case, res: Call): string[] {
  const faults: string[] = [];
  const errors = res.body.errors ?? [];
  if (errors.length === 0) return ["no errors"];
  for (const e of errors) {
    const code = e.extensions?.code;
    if (typeof code !== "string" || code === "") faults.push(`an error without a code: ${e.message}`);
    else if (code === "INTERNAL_SERVER_ERROR") faults.push("INTERNAL_SERVER_ERROR");
    if (typeof e.message !== "string" || e.message.trim().length < 8 || /unexpected error/i.test(e.message)) faults.push(`message ${JSON.stringify(e.message)}`);
    if (typeof code === "string" && OWN_CODES.has(code) && !(typeof e.extensions?.field === "string" && e.extensions.field !== "")) {
      faults.push(`${code} without extensions.field`);
    }
  }
  const first = errors[0]!;
  if (c.codes && !c.codes.includes(String(first.extensions?.code))) faults.push(`code ${String(first.extensions?.code)}, expected ${c.codes.join(" or ")}: ${first.message.slice(0, 200)}`);
  if (c.field) {
    const issues = (first.extensions?.issues as { path: string }[] | undefined) ?? [];
    const paths = [first.extensions?.field, ...issues.map((i) => i.path)];
    if (!paths.some((p) => related(p, c.field!))) faults.push(`names ${JSON.stringify(paths)}, not ${c.field}`);
  }
  if (c.refused) {
    if (res.body.data != null) faults.push("the request was not refused whole");
    if (c.token && res.status !== 401) faults.push(`HTTP ${res.status}, expected 401`);
  }
  if (STACK.test(res.text)) faults.push("stack trace");
  if (FILE_PATH.test(res.text)) faults.push("file path");
  if (SQL.test(JSON.stringify(errors))) faults.push("SQL in the error");
  return faults;
}

describe(`malformed inputs (${TEST_DB})`, () => {
  let t: AuthTestApp;
  let co: TestCompany;
  let before: Record<string, number>;
  let sent = 0;

  beforeAll(async () => {
    t = await openAuthApp();
    co = await createCompany(t.db, "malformed");
    const other = await createCompany(t.db, "bystander");
    const p = t.db.prisma;
    for (const companyId of [co.id, other.id]) {
      const team = await p.team.create({ data: { companyId, name: "Team" } });
      const c = await p.customer.create({ data: { companyId, name: "Customer", ownerTeamId: team.id } });
      await p.order.create({ data: { companyId, customerId: c.id, teamId: team.id, amount: "10", product: "p", category: "c", channel: "web",
        at: new Date("2026-03-03T00:00:00Z") } });
    }
    // The bases every generated case breaks are themselves valid.
    dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: { ...PLUGIN, key: "valid_kpi" } }, co.keys.admin));
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: { ...FRAMEWORK, key: "fw_valid" } }, co.keys.admin));
    before = await rowCounts(t.db);
  });
  afterAll(() => t.close());

  it.each(CLASSES)("%s: every case is refused with a code that names what is wrong", async (_name, generate) => {
    const cases = generate();
    const failures: string[] = [];
    for (const c of cases) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      const token = c.token === undefined ? co.keys.admin : c.token;
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await t.raw({ method: "POST", headers, body: JSON.stringify({ query: c.query, variables: c.variables ?? {} }) }, c.url);
      sent++;
      for (const f of faultsOf(c, res)) failures.push(`${c.label}: ${f}`);
    }
    expect(failures).toEqual([]);
  });

  it("sent at least 300 cases, and the database is exactly as before", async () => {
    expect(sent).toBeGreaterThanOrEqual(300);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it("treats well-formed IDs that name nothing (or no UUID) as nonexistent, never as an internal error", async () => {
    const ids = [globalId("Team", "not-a-uuid"), globalId("Member", "' OR 1=1 --"), globalId("Customer", ""), globalId("Company", "123")];
    for (const id of ids) {
      const node = await t.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id }, co.keys.admin);
      // Null, or refused as malformed — never an internal error.
      for (const e of node.errors ?? []) expect(e.extensions?.code, id).toBe("BAD_USER_INPUT");
      expect(node.data?.node ?? null).toBeNull();
      const filtered = await t.gql<{ company: { customers: { totalCount: number } } }>(
        `query($id: ID!) { company { customers(first: 5, filter: { team: $id }) { totalCount } } }`, { id: globalId("Team", "not-a-uuid") }, co.keys.admin);
      expect(filtered.data?.company.customers.totalCount).toBe(0);
    }
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
