// Writes one batch of customer rows, deduplicating as it goes (删除重复数据):
// a row is the same customer as an existing one when
//   • it has an external id and a customer has that external id; or, failing that,
//     a customer WITHOUT an external id has the row's email (else phone) — the
//     row then gives it its external id;
//   • it has no external id and a customer has its email, else its phone.
// Several matches: the oldest customer wins. The first line of the file that
// reaches a customer updates it with its non-blank cells; later lines reaching the
// same customer only fill what it still lacks (补充缺失数据) and are reported as
// merged. Blank cells never erase. Which customer an earlier batch's line reached
// is kept in import_job_keys, so the rule holds across batches and a resume.
import { randomUUID } from "node:crypto";
import type { SqlDriver } from "../db/driver.js";
import { BulkTable } from "../db/bulk.js";
import { CUSTOMER_COLUMNS } from "../db/tables.js";
import type { CustomerInput } from "./customers.js";
import type { ImportIssue } from "./jobs.js";
import type { StatsCollector } from "./stats.js";
import type { BatchResult, RowOutcome, WriteContext } from "../sources/declaration.js";

type Exec = Pick<SqlDriver, "query">;

/** Customer columns the importer reads and writes, as text (dates ISO in UTC). */
interface CustomerRecord {
  id: string;
  externalId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  segment: string;
  lifecycleStage: string;
  acquisitionChannel: string | null;
  ownerMemberId: string | null;
  ownerTeamId: string | null;
  campaignId: string | null;
  acquiredAt: string | null;
  churnedAt: string | null;
  notes: string | null;
  attributes: Record<string, unknown>;
}

const FIELDS = [
  "externalId", "name", "email", "phone", "segment", "lifecycleStage", "acquisitionChannel", "ownerMemberId", "ownerTeamId",
  "campaignId", "acquiredAt", "churnedAt", "notes",
] as const satisfies readonly (keyof CustomerRecord & keyof CustomerInput)[];

interface Slot {
  record: CustomerRecord;
  isNew: boolean;
  dirty: boolean;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const digits = (phone: string) => phone.replace(/\D/g, "");

async function loadCandidates(tx: Exec, companyId: string, rows: readonly CustomerInput[]): Promise<CustomerRecord[]> {
  const ext = [...new Set(rows.flatMap((r) => (r.externalId ? [r.externalId] : [])))];
  const emails = [...new Set(rows.flatMap((r) => (r.email ? [r.email] : [])))];
  const phones = [...new Set(rows.flatMap((r) => (r.phone ? [digits(r.phone)] : [])))];
  const rows_ = await tx.query<{
    id: string; external_id: string | null; name: string; email: string | null; phone: string | null; segment: string;
    lifecycle_stage: string; acquisition_channel: string | null; owner_member_id: string | null; owner_team_id: string | null;
    campaign_id: string | null; acquired_at: string | null; churned_at: string | null; notes: string | null; attributes: unknown;
  }>(
    `SELECT id::text, external_id, name, email, phone, segment, lifecycle_stage, acquisition_channel,
            owner_member_id::text, owner_team_id::text, campaign_id::text,
            to_char(acquired_at AT TIME ZONE 'UTC', ${ISO}) AS acquired_at,
            to_char(churned_at AT TIME ZONE 'UTC', ${ISO}) AS churned_at, notes, attributes
       FROM customers
      WHERE company_id = $1
        AND (external_id = ANY($2::text[]) OR lower(email) = ANY($3::text[])
             OR (cardinality($4::text[]) > 0 AND regexp_replace(phone, '[^0-9]', '', 'g') = ANY($4::text[])))
      ORDER BY created_at, id`,
    [companyId, ext, emails, phones],
  );
  return rows_.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    segment: r.segment,
    lifecycleStage: r.lifecycle_stage,
    acquisitionChannel: r.acquisition_channel,
    ownerMemberId: r.owner_member_id,
    ownerTeamId: r.owner_team_id,
    campaignId: r.campaign_id,
    acquiredAt: r.acquired_at,
    churnedAt: r.churned_at,
    notes: r.notes,
    attributes: (typeof r.attributes === "string" ? JSON.parse(r.attributes) : r.attributes) as Record<string, unknown>,
  }));
}

/** In-memory lookup over the batch's candidates and the customers the batch creates. */
class Index {
  private readonly byExt = new Map<string, Slot>();
  private readonly byEmail = new Map<string, Slot[]>();
  private readonly byPhone = new Map<string, Slot[]>();

  add(slot: Slot): void {
    const r = slot.record;
    if (r.externalId) this.byExt.set(r.externalId, slot);
    if (r.email) push(this.byEmail, r.email.toLowerCase(), slot);
    if (r.phone) push(this.byPhone, digits(r.phone), slot);
  }

  remove(slot: Slot): void {
    const r = slot.record;
    if (r.externalId && this.byExt.get(r.externalId) === slot) this.byExt.delete(r.externalId);
    if (r.email) pull(this.byEmail, r.email.toLowerCase(), slot);
    if (r.phone) pull(this.byPhone, digits(r.phone), slot);
  }

  match(row: CustomerInput): Slot | undefined {
    const byContact = (withoutExternalId: boolean) => {
      const ok = (s: Slot) => !withoutExternalId || s.record.externalId === null;
      return (row.email ? this.byEmail.get(row.email)?.find(ok) : undefined) ?? (row.phone ? this.byPhone.get(digits(row.phone))?.find(ok) : undefined);
    };
    if (row.externalId) return this.byExt.get(row.externalId) ?? byContact(true);
    return byContact(false);
  }
}

function push(map: Map<string, Slot[]>, key: string, slot: Slot): void {
  const list = map.get(key);
  if (list) list.push(slot);
  else map.set(key, [slot]);
}

function pull(map: Map<string, Slot[]>, key: string, slot: Slot): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(slot);
  if (i >= 0) list.splice(i, 1);
}

/** Applies a row to a record: overwrite with non-blank cells, or (a later line of the file) fill blanks only. */
function apply(record: CustomerRecord, row: CustomerInput, fillOnly: boolean): boolean {
  let changed = false;
  for (const f of FIELDS) {
    const v = row[f];
    if (v === null || record[f] === v) continue;
    if (f === "externalId" && record.externalId !== null) continue; // an external id, once set, is the customer's identity
    if (fillOnly && record[f] !== null) continue;
    (record as unknown as Record<string, string | null>)[f] = v;
    changed = true;
  }
  if (row.attributes) {
    for (const [k, v] of Object.entries(row.attributes)) {
      const current = record.attributes[k];
      if (current !== undefined && (fillOnly || JSON.stringify(current) === JSON.stringify(v))) continue;
      record.attributes = { ...record.attributes, [k]: v };
      changed = true;
    }
  }
  return changed;
}

function newRecord(row: CustomerInput, stats: StatsCollector): CustomerRecord {
  // Defaults only for a customer being created: on an existing one a blank means "no change".
  const fill = <T>(v: T | null, column: string, fallback: T): T => {
    if (v !== null) return v;
    stats.filled(column);
    return fallback;
  };
  return {
    id: randomUUID(),
    externalId: row.externalId,
    name: fill(row.name, "name", row.fallbackName),
    email: row.email,
    phone: row.phone,
    segment: fill(row.segment, "segment", "smb"),
    lifecycleStage: fill(row.lifecycleStage, "lifecycle_stage", row.churnedAt ? "churned" : row.acquiredAt ? "active" : "prospect"),
    acquisitionChannel: row.acquisitionChannel,
    ownerMemberId: row.ownerMemberId,
    ownerTeamId: row.ownerTeamId,
    campaignId: row.campaignId,
    acquiredAt: row.acquiredAt,
    churnedAt: row.churnedAt,
    notes: row.notes,
    attributes: row.attributes ? { ...row.attributes } : {},
  };
}

export async function writeCustomerBatch(tx: Exec, ctx: WriteContext, rows: readonly CustomerInput[]): Promise<BatchResult & { warnings: ImportIssue[] }> {
  const { companyId, jobId, stats } = ctx;
  const outcomes = new Map<number, RowOutcome>();
  const warnings: ImportIssue[] = [];
  const index = new Index();
  for (const record of await loadCandidates(tx, companyId, rows)) index.add({ record, isNew: false, dirty: false });

  // Customers an earlier line of this file reached (earlier batches: import_job_keys; this batch: added below).
  const firstLine = new Map<string, number>();
  const probe = rows.map((r) => index.match(r)).filter((s): s is Slot => s !== undefined);
  if (probe.length > 0 && jobId !== null) {
    const seen = await tx.query<{ key: string; line: number }>("SELECT key, line FROM import_job_keys WHERE job_id = $1 AND key = ANY($2::text[])", [
      jobId, [...new Set(probe.map((s) => `c:${s.record.id}`))],
    ]);
    for (const s of seen) firstLine.set(s.key.slice(2), s.line);
  }

  const slots: Slot[] = [];
  const newKeys: [string, number][] = [];
  for (const row of rows) {
    const slot = index.match(row);
    if (!slot) {
      const created: Slot = { record: newRecord(row, stats), isNew: true, dirty: true };
      index.add(created);
      slots.push(created);
      firstLine.set(created.record.id, row.line);
      newKeys.push([created.record.id, row.line]);
      outcomes.set(row.line, "inserted");
      continue;
    }
    const earlier = firstLine.get(slot.record.id);
    if (earlier === undefined) {
      firstLine.set(slot.record.id, row.line);
      newKeys.push([slot.record.id, row.line]);
    } else {
      stats.data.customersMerged++;
      warnings.push({ line: row.line, reason: `same customer as line ${earlier}: merged (only blank fields filled)` });
    }
    index.remove(slot);
    const changed = apply(slot.record, row, earlier !== undefined);
    index.add(slot);
    if (changed && !slot.dirty) {
      slot.dirty = true;
      slots.push(slot);
    }
    outcomes.set(row.line, changed ? "updated" : "unchanged");
  }

  const created = slots.filter((s) => s.isNew).map((s) => s.record);
  const updated = slots.filter((s) => !s.isNew).map((s) => s.record);
  if (created.length > 0) {
    const table = new BulkTable("customers", CUSTOMER_COLUMNS, [{ name: "company_id", type: "uuid", value: companyId }]);
    const now = new Date().toISOString();
    for (const r of created) {
      table.add([
        r.id, r.externalId, r.name, r.email, r.phone, r.ownerMemberId, r.ownerTeamId, r.segment, r.lifecycleStage,
        r.acquisitionChannel, r.campaignId, r.acquiredAt, r.churnedAt, JSON.stringify(r.attributes), r.notes, now,
      ]);
    }
    await table.take()!.run(tx);
  }
  if (updated.length > 0) {
    const col = <K extends keyof CustomerRecord>(k: K) => updated.map((r) => r[k] as string | null);
    await tx.query(
      `UPDATE customers c SET external_id = u.external_id, name = u.name, email = u.email, phone = u.phone, segment = u.segment,
              lifecycle_stage = u.lifecycle_stage, acquisition_channel = u.acquisition_channel,
              owner_member_id = u.owner_member_id::uuid, owner_team_id = u.owner_team_id::uuid, campaign_id = u.campaign_id::uuid,
              acquired_at = u.acquired_at::timestamptz, churned_at = u.churned_at::timestamptz, notes = u.notes,
              attributes = u.attributes::jsonb
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
              AS u(id, external_id, name, email, phone, segment, lifecycle_stage, acquisition_channel, owner_member_id,
                   owner_team_id, campaign_id, acquired_at, churned_at, notes, attributes)
        WHERE c.company_id = $1 AND c.id = u.id::uuid`,
      [
        companyId, col("id"), col("externalId"), col("name"), col("email"), col("phone"), col("segment"), col("lifecycleStage"),
        col("acquisitionChannel"), col("ownerMemberId"), col("ownerTeamId"), col("campaignId"), col("acquiredAt"), col("churnedAt"),
        col("notes"), updated.map((r) => JSON.stringify(r.attributes)),
      ],
    );
  }
  if (newKeys.length > 0 && jobId !== null) {
    await tx.query("INSERT INTO import_job_keys (job_id, key, line) SELECT $1::uuid, k, l FROM unnest($2::text[], $3::int[]) AS u(k, l)", [
      jobId, newKeys.map(([id]) => `c:${id}`), newKeys.map(([, line]) => line),
    ]);
  }
  return { outcomes, rejects: [], warnings };
}
