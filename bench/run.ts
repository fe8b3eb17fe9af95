// npm run bench — the metric benchmarks on both databases, written to bench/RESULTS.md.
//
//   npm run bench [-- --db pglite,postgres] [--configs S,T,L] [--iterations 5] [--quick]
//
// Configs: S = 5 teams / 5,000 customers, T = 50 teams / 5,000, L = 50 teams / 50,000
// (≈ 21 fact rows per customer: L is ≈ 1.1M fact rows). --quick divides customers by 5.
import { parseArgs } from "node:util";
import { openDatabase, type Database } from "../src/db/database.js";
import { seedDemoCompany } from "../src/seed/generate.js";
import { createScratchPostgres } from "../test/helpers/database.js";
import { runDashboard, type DashboardResult } from "./dashboard.js";
import { fmt, writeResultsSection } from "./measure.js";

const CONFIGS = {
  S: { teams: 5, customers: 5_000 },
  T: { teams: 50, customers: 5_000 },
  L: { teams: 50, customers: 50_000 },
} as const;
type ConfigName = keyof typeof CONFIGS;

const { values } = parseArgs({
  options: {
    db: { type: "string", default: "pglite,postgres" },
    configs: { type: "string", default: "S,T,L" },
    iterations: { type: "string", default: "5" },
    quick: { type: "boolean", default: false },
  },
});

interface Row extends DashboardResult {
  db: string;
  config: ConfigName;
  customers: number;
  factRows: number;
  seedMs: number;
  seedRowsPerSecond: number;
}

async function withDatabase<T>(kind: string, fn: (db: Database) => Promise<T>): Promise<T> {
  if (kind === "pglite") {
    const db = await openDatabase();
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }
  const scratch = await createScratchPostgres();
  const db = await openDatabase({ url: scratch.url, poolSize: 10 });
  try {
    return await fn(db);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

const rows: Row[] = [];
for (const kind of values.db.split(",")) {
  for (const name of values.configs.split(",") as ConfigName[]) {
    const cfg = CONFIGS[name];
    if (!cfg) throw new Error(`--configs: unknown config ${name}`);
    const customers = values.quick ? cfg.customers / 5 : cfg.customers;
    const row = await withDatabase(kind, async (db) => {
      process.stderr.write(`[${kind} ${name}] seeding ${cfg.teams} teams, ${customers} customers… `);
      const seeded = await seedDemoCompany(db, { seed: 7, size: { teams: cfg.teams, membersPerTeam: 4, customers, months: 24 }, slug: "bench" });
      process.stderr.write(`${seeded.factRows} fact rows in ${(seeded.elapsedMs / 1000).toFixed(1)} s; dashboard… `);
      const dash = await runDashboard(db, seeded.companyId, Number(values.iterations));
      process.stderr.write(`api ${fmt(dash.apiMs)} ms, floor ${fmt(dash.floorMs)} ms, ratio ${dash.ratio.toFixed(2)}\n`);
      return { ...dash, db: kind, config: name, customers, factRows: seeded.factRows, seedMs: seeded.elapsedMs, seedRowsPerSecond: seeded.rowsPerSecond };
    });
    rows.push(row);
  }
}

const table = [
  "| database | config | teams | customers | fact rows | API ms (median) | hand SQL ms | ratio | SQL statements / request | cells compared | mismatches | seed rows/s |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...rows.map((r) =>
    `| ${r.db} | ${r.config} | ${r.teams} | ${r.customers} | ${r.factRows} | ${fmt(r.apiMs)} | ${fmt(r.floorMs)} | ${r.ratio.toFixed(2)}× | ${r.statements} | ${r.cells} | ${r.mismatches} | ${Math.round(r.seedRowsPerSecond)} |`),
].join("\n");
console.log(table);

await writeResultsSection(
  "dashboard",
  `## Dashboard: 10 KPIs × every team × 12-month trend

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` on this machine (2 cores).
API = the GraphQL request through the real Yoga pipeline (auth, parse, validate, execute, JSONata);
hand SQL = one GROUP BY team, month statement per source written by hand (bench/floor.ts), run concurrently;
both the median of ${values.iterations} interleaved runs after a warm-up. "mismatches" counts (team, month, KPI)
cells where the API and the hand-written SQL disagree.

${table}`,
);
process.exit(0);
