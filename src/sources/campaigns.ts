// Marketing campaigns: what acquired a customer, what a cost was spent on.
import type { ImportIssue } from "../import/jobs.js";
import { nameKey } from "../import/lookup.js";
import { derivedId, RowRejected } from "../import/row.js";
import { upsertKeyed, type KeyedTable } from "../import/write-keyed.js";
import { iso } from "../import/facts.js";
import { defineImport, defineSource, type CleanedRow, type RowOutcome } from "./declaration.js";
import { col } from "./shared.js";

interface CampaignRow extends CleanedRow {
  readonly externalId: string | null;
  readonly name: string;
  readonly values: readonly (string | null)[];
}

const TABLE: KeyedTable = {
  table: "campaigns",
  columns: [{ name: "name", type: "text" }, { name: "channel", type: "text" }, { name: "starts_at", type: "timestamptz" }, { name: "ends_at", type: "timestamptz" }],
};

export const campaigns = defineSource({
  name: "campaigns",
  table: "campaigns",
  description: "Marketing campaigns, by name and channel, with their dates.",
  columns: { external_id: "text", name: "text", channel: "text", starts_at: "timestamptz", ends_at: "timestamptz" },
  metric: undefined,
  import: defineImport<CampaignRow>({
    kind: "campaigns",
    after: [],
    notes:
      "A row is the campaign with its `external_id`; failing that (or without one), the campaign with its `name`,\n" +
      "ignoring case — which then takes the row's external id (a campaign imported without one has an id derived\n" +
      "from its name, which a real one replaces). A name several campaigns share rejects the row as\n" +
      "ambiguous. Customers (`campaign`) and costs (`campaign`) name a campaign by its name or external id.",
    columns: [
      col("external_id", ["campaign_id", "campaign_code", "code", "id", "record_id", "活动编号", "市场活动编号"], "the campaign's id in your system; blank: matched by name"),
      col("name", ["campaign_name", "campaign", "活动名称", "市场活动名称", "活动"], "**required**; 1–300 characters", true),
      col("channel", ["type", "campaign_type", "channel_type", "渠道", "活动类型", "类型"], "online_ads, social_media, events, content, email, referral, direct, partner (Zoho's Advertisement, Trade Show, Webinar, Partners … map onto them); unknown or blank → `other`"),
      col("starts_at", ["start_date", "start", "starts", "开始日期", "开始时间"], "**required**; date", true),
      col("ends_at", ["end_date", "end", "ends", "结束日期", "结束时间"], "date, not before starts_at"),
    ],
    read(row) {
      const externalId = row.id("external_id");
      const name = row.text("name", true, 300);
      const channel = row.vocab("channel", "campaigns.channel", "other");
      const startsAt = row.date("starts_at", true);
      const endsAt = row.date("ends_at");
      if (endsAt !== null && endsAt < startsAt) throw new RowRejected("ends_at is before starts_at", "ends_at");
      return { line: row.line, externalId, name, values: [name, channel, iso(startsAt), iso(endsAt)], warnings: row.warnings, events: row.events };
    },
    async write(tx, ctx, rows) {
      const outcomes = new Map<number, RowOutcome>();
      const rejects: ImportIssue[] = [];
      const found = await tx.query<{ id: string; external_id: string | null; k: string }>(
        `SELECT id::text, external_id, lower(name) AS k FROM campaigns
          WHERE company_id = $1 AND (external_id = ANY($2::text[]) OR lower(name) = ANY($3::text[])) ORDER BY starts_at, id`,
        [ctx.companyId, rows.flatMap((r) => (r.externalId ? [r.externalId] : [])), rows.map((r) => nameKey(r.name))],
      );
      const adopt: { id: string; key: string }[] = [];
      const keyed: (CampaignRow & { key: string })[] = [];
      const lineOfKey = new Map<string, number>();
      for (const r of rows) {
        let key: string;
        const byId = r.externalId ? found.find((f) => f.external_id === r.externalId) : undefined;
        if (byId) key = byId.external_id!;
        else {
          // By name: without an external id any campaign of that name; with one, only a campaign that has none yet.
          // An id derived from the name ("row-…") gives way to a real one.
          const unnamed = (f: { external_id: string | null }) => f.external_id === null || f.external_id.startsWith("row-");
          const byName = found.filter((f) => f.k === nameKey(r.name) && (r.externalId === null || unnamed(f)));
          if (byName.length > 1) {
            rejects.push({ line: r.line, reason: `ambiguous campaign: name "${r.name}" names ${byName.length} campaigns (give its external_id)`, field: "name" });
            continue;
          }
          const hit = byName[0];
          key = r.externalId ?? hit?.external_id ?? derivedId("campaigns", [nameKey(r.name)]);
          if (hit && (hit.external_id === null || (r.externalId !== null && unnamed(hit)))) {
            adopt.push({ id: hit.id, key });
            hit.external_id = key;
          }
        }
        const seen = lineOfKey.get(key);
        if (seen !== undefined) {
          rejects.push({ line: r.line, reason: `duplicate of line ${seen} (campaign "${r.name}")`, field: "name" });
          continue;
        }
        lineOfKey.set(key, r.line);
        keyed.push({ ...r, key });
      }
      if (adopt.length > 0) {
        await tx.query("UPDATE campaigns c SET external_id = u.k FROM unnest($2::text[], $3::text[]) AS u(id, k) WHERE c.company_id = $1 AND c.id = u.id::uuid", [
          ctx.companyId, adopt.map((a) => a.id), adopt.map((a) => a.key),
        ]);
      }
      const written = await upsertKeyed(tx, ctx.companyId, TABLE, keyed.map((r) => ({ externalId: r.key, values: r.values })));
      const adopted = new Set(adopt.map((a) => a.key));
      for (const r of keyed) {
        const w = written.get(r.key);
        outcomes.set(r.line, w === undefined ? (adopted.has(r.key) ? "updated" : "unchanged") : w ? "inserted" : "updated");
      }
      return { outcomes, rejects };
    },
  }),
  export: { order: "t.starts_at, t.id", externalIdFallback: true },
});
