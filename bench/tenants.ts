// npm run bench:tenants — 1,000 companies, each with 5 custom KPI plugins, on
// one process: memory after all are warm, cold vs warm latency of a metrics
// request, and the time from registering a plugin to querying it.
//
//   npm run bench:tenants [-- --companies 1000 --plugins 5 --db pglite|postgres]
import { parseArgs } from "node:util";
import { issueApiKey } from "../src/auth/api-keys.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { createApp } from "../src/server.js";
import { createScratchPostgres } from "../test/helpers/database.js";
import { fmt, percentile, time, writeResultsSection } from "./measure.js";

const { values } = parseArgs({
  options: {
    companies: { type: "string", default: "1000" },
    plugins: { type: "string", default: "5" },
    db: { type: "string", default: "pglite" },
  },
});
const flags = process.execArgv.filter((a) => a.startsWith("--max-semi") || a.startsWith("--max-old")).join(" ");
const label = `${values.db}${flags ? ` ${flags}` : ""}`;
const COMPANIES = Number(values.companies);
const PLUGINS = Number(values.plugins);

const SOURCES = [
  { source: "orders", aggregate: "sum", field: "amount" },
  { source: "orders", aggregate: "count" },
  { source: "tickets", aggregate: "count" },
  { source: "surveys", aggregate: "avg", field: "score" },
  { source: "interactions", aggregate: "count" },
] as const;

/** Company i's plugin j: same keys across companies, different formulas — the hard case for sharing. */
function pluginDoc(i: number, j: number) {
  return {
    key: `custom_kpi_${j}`,
    name: `Custom KPI ${j}`,
    unit: "number",
    subjects: ["company", "team"],
    measures: { x: SOURCES[j % SOURCES.length] },
    formula: `x * ${i + 1} + ${j}`,
  };
}

async function open(): Promise<{ db: Database; drop?: () => Promise<void> }> {
  if (values.db === "postgres") {
    const scratch = await createScratchPostgres();
    return { db: await openDatabase({ url: scratch.url }), drop: scratch.drop };
  }
  return { db: await openDatabase() };
}

const { db, drop } = await open();
const app = createApp({ db, graphiql: false, limits: { requestsPerMinutePerKey: 1_000_000 } });

process.stderr.write(`creating ${COMPANIES} companies × ${PLUGINS} plugins… `);
const keys: string[] = [];
for (let i = 0; i < COMPANIES; i++) {
  const company = await db.prisma.company.create({ data: { slug: `tenant-${i}`, name: `Tenant ${i}`, catalogVersion: 1 } });
  keys.push((await issueApiKey(db.prisma, { companyId: company.id, name: "bench", role: "admin" })).key);
  await db.prisma.metricPlugin.createMany({
    data: Array.from({ length: PLUGINS }, (_, j) => ({ companyId: company.id, key: `custom_kpi_${j}`, version: 1, document: pluginDoc(i, j) })),
  });
}
process.stderr.write("done\n");

const fields = Array.from({ length: PLUGINS }, (_, j) => `k${j}: customKpi${j}(period: $p) { value }`).join(" ");
const QUERY = `query($p: PeriodInput!) { company { kpis { ${fields} } } }`;
const period = { grain: "MONTH", date: "2026-10-01" };

async function request(key: string, query = QUERY): Promise<void> {
  const res = await app.fetch("http://bench/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables: { p: period } }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const cold: number[] = [];
for (const key of keys) cold.push((await time(() => request(key))).ms);
const warm: number[] = [];
for (const key of keys) warm.push((await time(() => request(key))).ms);
globalThis.gc?.();
const mem = process.memoryUsage();

// Register one more plugin through the API and query it in the very next request.
const register = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { version } }`;
const visible: number[] = [];
for (let n = 0; n < 20; n++) {
  const key = keys[n]!;
  const doc = { ...pluginDoc(n, 0), key: `fresh_kpi_${n}`, formula: "x + 1" };
  const t = await time(async () => {
    const res = await app.fetch("http://bench/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: register, variables: { d: doc } }),
    });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    await request(key, `query($p: PeriodInput!) { company { kpis { freshKpi${n}(period: $p) { value } } } }`);
  });
  visible.push(t.ms);
}

const p = (xs: number[], q: number) => fmt(percentile(xs, q));
const coldExtra = cold.map((c, i) => c - warm[i]!);
const rows = [
  ["companies × custom plugins", `${COMPANIES} × ${PLUGINS}`],
  ["database", values.db],
  ["RSS after all warm", `${(mem.rss / 2 ** 20).toFixed(0)} MB (before the first request: ${(rssBefore / 2 ** 20).toFixed(0)} MB)`],
  ["heap used after all warm", `${(mem.heapUsed / 2 ** 20).toFixed(0)} MB`],
  ["cold first request p50 / p95", `${p(cold, 0.5)} / ${p(cold, 0.95)} ms`],
  ["warm request p50 / p95", `${p(warm, 0.5)} / ${p(warm, 0.95)} ms`],
  ["cold minus warm, same company, p50 / p95", `${p(coldExtra, 0.5)} / ${p(coldExtra, 0.95)} ms`],
  ["register a plugin + first query of it, p50 / p95", `${p(visible, 0.5)} / ${p(visible, 0.95)} ms`],
  ["schemas built / cached", `${app.caches.schemas.builds} / ${app.caches.schemas.size}`],
];
const table = ["| measure | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
console.log(table);

await writeResultsSection(
  `tenants ${label}`,
  `## Many tenants (${label}): per-company schemas and catalogues

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:tenants${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`${flags ? ` under node ${flags}` : ""}.
Each company has ${PLUGINS} plugins with the same keys and different formulas; the request asks for all of them
as typed fields (\`company { kpis { customKpi0(period:) … } }\`). Cold = the company's first request
(its catalogue compiled, its schema derived); warm = the second pass over all companies.

${table}`,
);
await db.close();
await drop?.();
process.exit(0);
