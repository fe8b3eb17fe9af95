// Seeds a deterministic demo company.
//
//   tsx prisma/seed.ts [--size demo|large] [--seed N] [--slug demo] [--name "…"]
//                      [--teams N] [--members-per-team N] [--customers N] [--months N]
//                      [--database-url URL] [--data-dir DIR] [--no-analyze]
//
// Database: --database-url, else DATABASE_URL (postgres:// only), else the
// embedded database in --data-dir, YARDSTICK_DATA_DIR or .data/pglite.
// The size flags override single fields of --size (benchmarks: 5 vs 50 teams).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { isPostgresUrl, openDatabase, type Database } from "../src/db/database.js";
import { CompanyExistsError, seedDemoCompany, type SeedSummary } from "../src/seed/generate.js";
import { isSizeName, SIZES, type SizeSpec } from "../src/seed/sizes.js";

const USAGE = `usage: tsx prisma/seed.ts [--size demo|large] [--seed N] [--slug SLUG] [--name NAME]
       [--teams N] [--members-per-team N] [--customers N] [--months N]
       [--database-url URL] [--data-dir DIR] [--no-analyze]`;

function parseIntFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}

class UsageError extends Error {}

interface Cli {
  size: SizeSpec;
  sizeLabel: string;
  seed: number;
  slug: string;
  name: string | undefined;
  url: string | undefined;
  dataDir: string;
  analyze: boolean;
}

function readCli(argv: readonly string[]): Cli {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: "string", default: "demo" },
      // Same seed as the first-start demo company (src/seed/demo.ts), so both give the same data.
      seed: { type: "string", default: "42" },
      slug: { type: "string", default: "demo" },
      name: { type: "string" },
      teams: { type: "string" },
      "members-per-team": { type: "string" },
      customers: { type: "string" },
      months: { type: "string" },
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      "no-analyze": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizeName = values.size;
  if (!isSizeName(sizeName)) throw new UsageError(`--size must be one of ${Object.keys(SIZES).join(", ")}, got "${sizeName}"`);
  const base = SIZES[sizeName];
  const overrides = {
    teams: parseIntFlag("teams", values.teams),
    membersPerTeam: parseIntFlag("members-per-team", values["members-per-team"]),
    customers: parseIntFlag("customers", values.customers),
    months: parseIntFlag("months", values.months),
  };
  const size: SizeSpec = {
    teams: overrides.teams ?? base.teams,
    membersPerTeam: overrides.membersPerTeam ?? base.membersPerTeam,
    customers: overrides.customers ?? base.customers,
    months: overrides.months ?? base.months,
  };
  const custom = Object.values(overrides).some((v) => v !== undefined);
  const flagUrl = values["database-url"];
  if (flagUrl !== undefined && !isPostgresUrl(flagUrl)) throw new UsageError(`--database-url must be a postgres:// URL`);
  const envUrl = process.env.DATABASE_URL;
  return {
    size,
    sizeLabel: custom ? `${sizeName}+custom` : sizeName,
    seed: parseIntFlag("seed", values.seed) ?? 42,
    slug: values.slug,
    name: values.name,
    // DATABASE_URL may hold a placeholder for the Prisma CLI; only a real postgres URL counts.
    url: flagUrl ?? (isPostgresUrl(envUrl) ? envUrl : undefined),
    dataDir: path.resolve(values["data-dir"] ?? process.env.YARDSTICK_DATA_DIR ?? ".data/pglite"),
    analyze: !values["no-analyze"],
  };
}

/** A progress bar on a terminal; one line per ~10 % in logs and CI. */
function progressReporter(total: number): { update: (done: number) => void; stop: () => void } {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "customers {bar} {percentage}% | {value}/{total} | {duration_formatted}", hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  let nextTenth = 1;
  const started = Date.now();
  return {
    update(done) {
      const tenth = total > 0 ? Math.floor((done * 10) / total) : 10;
      if (tenth < nextTenth) return;
      console.log(`  ${tenth * 10}% (${done}/${total} customers, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      nextTenth = tenth + 1;
    },
    stop() {},
  };
}

function report(s: SeedSummary): void {
  console.log(`\nseeded company "${s.name}" (slug ${s.slug}, id ${s.companyId})`);
  console.log(`history ${s.historyStart} … ${s.historyEnd} (exclusive), ${s.timeZone}, ${s.currency}`);
  console.table(s.counts);
  console.log(`lifecycle: ${Object.entries(s.lifecycle).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`order amount ${s.sums.orderAmount} ${s.currency}; marketing cost ${s.sums.marketingCost}; sales cost ${s.sums.salesCost}`);
  console.log(
    `${s.totalRows.toLocaleString("en-US")} rows (${s.factRows.toLocaleString("en-US")} fact rows) in ` +
      `${(s.elapsedMs / 1000).toFixed(1)} s: ${s.rowsPerSecond.toLocaleString("en-US")} rows/s`,
  );
}

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = readCli(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(USAGE);
    return 2;
  }
  if (cli.url === undefined) mkdirSync(cli.dataDir, { recursive: true });
  const where = cli.url !== undefined ? cli.url.replace(/\/\/([^@/]*)@/, "//***@") : `embedded ${cli.dataDir}`;
  console.log(
    `seeding ${cli.sizeLabel} (${cli.size.teams} teams × ${cli.size.membersPerTeam} members, ` +
      `${cli.size.customers.toLocaleString("en-US")} customers, ${cli.size.months} months), seed ${cli.seed}, into ${where}`,
  );

  let db: Database | undefined;
  try {
    db = await openDatabase(cli.url !== undefined ? { url: cli.url, statementTimeoutMs: 0 } : { dataDir: cli.dataDir });
    const progress = progressReporter(cli.size.customers);
    let summary: SeedSummary;
    try {
      summary = await seedDemoCompany(db, {
        seed: cli.seed,
        size: cli.size,
        slug: cli.slug,
        name: cli.name,
        analyze: cli.analyze,
        onProgress: (done) => progress.update(done),
      });
    } finally {
      progress.stop();
    }
    report(summary);
    return 0;
  } catch (err) {
    if (err instanceof CompanyExistsError) {
      console.error(err.message);
      return 1;
    }
    console.error(err);
    return 1;
  } finally {
    await db?.close();
  }
}

process.exitCode = await main();
