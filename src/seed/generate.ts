// Deterministic demo company generator. `seedDemoCompany(db, { seed, size })`
// writes one company with ~24 months of history that has shape: seasonal
// orders, teams that differ in service, churn after ignored complaints, a
// narrowing sales funnel, campaigns with costs. Same seed + size + slug gives
// byte-identical rows (ids, values, dates); nothing reads the clock.
import type { Database } from "../db/database.js";
import { bumpDataVersion } from "../metrics/data-version.js";
import { cents, type Batch, type Executor } from "../db/bulk.js";
import { buildCalendar, DAY_MS, iso, SEED_TIME_ZONE } from "./calendar.js";
import { LIFECYCLES, EXISTING_SHARE, productChoices, simulateCustomer, type CustomerSums, type Lifecycle, type SimContext } from "./customer.js";
import { buildOrg, writeOrg } from "./org.js";
import { hashString, Rng } from "./random.js";
import { resolveSize, type SizeName, type SizeSpec } from "./sizes.js";
import { createTables, TABLE_ORDER, type SeedTableName, type SeedTables } from "../db/tables.js";

export { SIZES, type SizeName, type SizeSpec } from "./sizes.js";
export type { Lifecycle } from "./customer.js";

export const SEED_CURRENCY = "CNY";

export interface SeedOptions {
  /** Any safe integer; the only source of randomness. */
  seed: number;
  size: SizeName | SizeSpec;
  /** Company slug (default "demo"); must not exist yet. */
  slug?: string;
  name?: string;
  /** Called after each chunk of customers is written: (customers done, customers total). */
  onProgress?: (done: number, total: number) => void;
  /** Rows per INSERT statement for the fact tables (default 5,000). */
  batchRows?: number;
  /** Run ANALYZE on the seeded tables afterwards (default true) so benchmarks get real plans. */
  analyze?: boolean;
}

export type SeedCounts = Record<SeedTableName, number>;

export interface SeedSummary {
  companyId: string;
  slug: string;
  name: string;
  seed: number;
  size: SizeSpec;
  timeZone: string;
  currency: string;
  /** First instant of the history window (ISO, UTC). */
  historyStart: string;
  /** End of the history window, exclusive (ISO, UTC): no row is at or after it. */
  historyEnd: string;
  /** Rows per table (the company row not included). */
  counts: SeedCounts;
  /** orders + interactions + tickets + survey_responses + opportunity_stages. */
  factRows: number;
  /** Every row written, the company row included. */
  totalRows: number;
  /** Customers per lifecycle stage at the end of the window. */
  lifecycle: Record<Lifecycle, number>;
  sums: {
    /** Sum of orders.amount, 2 decimals. */
    orderAmount: string;
    /** Sum of opportunities.value, 2 decimals. */
    opportunityValue: string;
    /** Sum of campaign_costs.amount where kind = 'marketing'. */
    marketingCost: string;
    /** Sum of campaign_costs.amount where kind = 'sales'. */
    salesCost: string;
    /** Sum of survey_responses.score (all kinds). */
    surveyScore: number;
    /** Sum of survey_responses.score where kind = 'nps'. */
    npsScore: number;
    /** Sum of tickets.satisfaction. */
    ticketSatisfaction: number;
    /** Sum of interactions.duration_seconds. */
    interactionSeconds: number;
    /** Sum of ratings.score. */
    ratingScore: number;
  };
  elapsedMs: number;
  rowsPerSecond: number;
}

export class CompanyExistsError extends Error {
  constructor(
    readonly slug: string,
    readonly companyId: string,
  ) {
    super(`a company with slug "${slug}" already exists (id ${companyId}); pick another slug or delete that company first`);
    this.name = "CompanyExistsError";
  }
}

const FACT_TABLES: readonly SeedTableName[] = ["orders", "interactions", "tickets", "survey_responses", "opportunity_stages"];
/** Customers simulated between flushes: small enough to stream and report progress, big enough for full batches. */
const MAX_CHUNK_CUSTOMERS = 400;

export async function seedDemoCompany(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const seed = options.seed;
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${String(seed)}`);
  const size = resolveSize(options.size);
  const slug = options.slug ?? "demo";
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw new Error(`invalid slug "${slug}": use lower-case letters, digits and dashes`);
  const name = options.name ?? (slug === "demo" ? "Hengtai Commerce (demo)" : `Demo company ${slug}`);
  const batchRows = Math.max(100, options.batchRows ?? 5_000);

  const found = await db.sql.query<{ id: string }>("SELECT id FROM companies WHERE slug = $1", [slug]);
  if (found[0]) throw new CompanyExistsError(slug, found[0].id);

  const slugHash = hashString(slug);
  const companyId = new Rng(seed, slugHash, "company-id").uuid();
  const cal = buildCalendar(size.months);
  const org = buildOrg(size, cal, seed, slugHash, EXISTING_SHARE);
  const tables = createTables(companyId, SEED_CURRENCY);
  const sums: CustomerSums = { orderCents: 0, opportunityCents: 0, surveyScore: 0, npsScore: 0, ticketSatisfaction: 0, interactionSeconds: 0 };
  const lifecycle = Object.fromEntries(LIFECYCLES.map((l) => [l, 0])) as Record<Lifecycle, number>;
  const ctx: SimContext = { seed, slugHash, cal, org, tables, sums, lifecycle, productsBySegment: productChoices() };

  const orgSums = await db.sql.transaction(async (tx) => {
    // Unique slug index turns a concurrent seeder's race into an error here.
    await tx.query(
      `INSERT INTO companies (id, slug, name, time_zone, currency, settings, created_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7::timestamptz)`,
      [
        companyId, slug, name, SEED_TIME_ZONE, SEED_CURRENCY,
        JSON.stringify({ demo: true, seed, size, historyEnd: iso(cal.end) }),
        iso(cal.start - 3 * 365 * DAY_MS),
      ],
    );
    const written = writeOrg(org, cal, tables, seed, slugHash);
    for (const t of ["teams", "members", "campaigns", "campaign_costs", "ratings"] as const) {
      const batch = tables[t].take();
      if (batch) await batch.run(tx);
    }

    // Simulation of chunk k overlaps the inserts of chunk k-1 (on PostgreSQL the
    // server works meanwhile); at most one chunk is in flight, to bound memory.
    let inflight: Promise<void> = Promise.resolve();
    const chunk = Math.min(MAX_CHUNK_CUSTOMERS, Math.max(50, Math.ceil(size.customers / 40)));
    for (let first = 0; first < size.customers; first += chunk) {
      const last = Math.min(size.customers, first + chunk);
      for (let i = first; i < last; i++) simulateCustomer(ctx, i);
      const batches = takeBatches(tables, last === size.customers ? 1 : batchRows);
      await inflight;
      options.onProgress?.(first, size.customers);
      inflight = runBatches(tx, batches);
    }
    await inflight;
    // Once, with the rows (the company is new, but a process may have cached its empty results).
    await bumpDataVersion(tx, companyId);
    options.onProgress?.(size.customers, size.customers);
    return written;
  });

  if (options.analyze !== false) {
    for (const t of TABLE_ORDER) await db.sql.query(`ANALYZE "${t}"`);
  }

  const counts = Object.fromEntries(TABLE_ORDER.map((t) => [t, tables[t].total])) as SeedCounts;
  const factRows = FACT_TABLES.reduce((a, t) => a + counts[t], 0);
  const totalRows = 1 + TABLE_ORDER.reduce((a, t) => a + counts[t], 0);
  const elapsedMs = Math.round(performance.now() - started);
  return {
    companyId,
    slug,
    name,
    seed,
    size,
    timeZone: SEED_TIME_ZONE,
    currency: SEED_CURRENCY,
    historyStart: iso(cal.start),
    historyEnd: iso(cal.end),
    counts,
    factRows,
    totalRows,
    lifecycle,
    sums: {
      orderAmount: cents(sums.orderCents),
      opportunityValue: cents(sums.opportunityCents),
      marketingCost: cents(orgSums.marketingCents),
      salesCost: cents(orgSums.salesCents),
      surveyScore: sums.surveyScore,
      npsScore: sums.npsScore,
      ticketSatisfaction: sums.ticketSatisfaction,
      interactionSeconds: sums.interactionSeconds,
      ratingScore: orgSums.ratingScore,
    },
    elapsedMs,
    rowsPerSecond: Math.round(totalRows / Math.max(elapsedMs / 1000, 0.001)),
  };
}

/**
 * Customers and opportunities go out every chunk (later rows reference them);
 * fact tables wait until a batch is full, so statements stay large.
 */
function takeBatches(tables: SeedTables, minFactRows: number): Batch[] {
  const out: Batch[] = [];
  for (const t of TABLE_ORDER) {
    const table = tables[t];
    if (FACT_TABLES.includes(t) && table.size < minFactRows) continue;
    const batch = table.take();
    if (batch) out.push(batch);
  }
  return out;
}

async function runBatches(exec: Executor, batches: readonly Batch[]): Promise<void> {
  for (const b of batches) await b.run(exec);
}
