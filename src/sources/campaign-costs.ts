// Money spent to acquire customers.
import { iso } from "../import/facts.js";
import { campaignsByRef, membersByRef, nameKey, oneMember, teamsByName } from "../import/lookup.js";
import { derivedId } from "../import/row.js";
import { writeKeyedBatch, type KeyedRow, type KeyedTable, type Resolved } from "../import/write-keyed.js";
import { cents } from "../db/bulk.js";
import { defineImport, defineSource } from "./declaration.js";
import { col } from "./shared.js";

interface CostRow extends KeyedRow {
  readonly campaign: string | null;
  readonly team: string | null;
  readonly member: string | null;
  readonly kind: string;
  readonly amount: string;
  readonly at: string;
}

const TABLE: KeyedTable = {
  table: "campaign_costs",
  columns: [
    { name: "campaign_id", type: "uuid" }, { name: "team_id", type: "uuid" }, { name: "member_id", type: "uuid" },
    { name: "kind", type: "text" }, { name: "amount", type: "numeric" }, { name: "at", type: "timestamptz" },
  ],
};

export const campaignCosts = defineSource({
  name: "campaignCosts",
  table: "campaign_costs",
  description: "Money spent to acquire customers: campaign (marketing) spend and sales cost.",
  columns: {
    external_id: "text", campaign_id: "uuid", team_id: "uuid", member_id: "uuid", kind: "text", amount: "numeric", at: "timestamptz",
  },
  metric: {
    subjects: { team: "t.team_id", member: "t.member_id" },
    timeFields: ["at"],
    fields: {
      amount: { sql: "t.amount", type: "number", description: "amount spent" },
      kind: { sql: "t.kind", type: "string", description: "marketing or sales" },
      campaignId: { sql: "t.campaign_id::text", type: "string", description: "campaign" },
      at: { sql: "t.at", type: "timestamp", description: "when it was spent" },
    },
    dimensions: {
      campaign: { sql: "t.campaign_id::text", type: "string", description: "campaign" },
    },
  },
  import: defineImport<CostRow>({
    kind: "campaign_costs",
    after: ["teams", "members", "campaigns"],
    notes:
      "A cost names its campaign by name or external id; an unknown one rejects the row with the line and the\n" +
      "name (`unknown campaign: campaign \"Spring Expo\"`), as do an unknown team or member. A cost of a member\n" +
      "without a team is the member's team's. Costs without an external id get one derived from the row.",
    columns: [
      col("external_id", ["cost_id", "id", "费用编号"], "blank: derived from the row"),
      col("campaign", ["campaign_name", "campaign_id", "campaign_source", "活动", "活动名称", "市场活动"], "a campaign's name or external id (must exist); blank: a cost not tied to a campaign"),
      col("amount", ["cost", "actual_cost", "spend", "金额", "费用", "实际成本", "花费"], "**required**; money; negative refused", true),
      col("at", ["date", "spent_at", "日期", "时间", "发生日期"], "**required**; date", true),
      col("kind", ["type", "cost_type", "类型", "费用类型"], "`marketing` or `sales` (`市场`, `营销` / `销售`); blank → `marketing`; anything else is refused"),
      col("team", ["team_name", "团队", "部门"], "a team's name (must exist): a sales cost's team"),
      col("member", ["member_email", "owner", "负责人", "成员"], "a member's email or name (must exist)"),
    ],
    read(row) {
      const campaign = row.text("campaign", false, 300);
      const amount = cents(row.money("amount"));
      const at = iso(row.date("at", true))!;
      const kind = row.vocab("kind", "campaign_costs.kind", "marketing")!;
      const team = row.text("team", false, 200);
      const member = row.text("member", false, 300);
      const given = row.id("external_id");
      const externalId = given ?? derivedId("campaign_costs", [campaign && nameKey(campaign), amount, at, kind, team && nameKey(team), member && nameKey(member)]);
      if (given === null) row.events.push({ k: "derived" });
      return { line: row.line, externalId, derived: given === null, campaign, team, member, kind, amount, at, warnings: row.warnings, events: row.events };
    },
    write: (tx, ctx, rows) =>
      writeKeyedBatch(tx, ctx, TABLE, rows, async (batch) => {
        const campaigns = await campaignsByRef(tx, ctx.companyId, batch.flatMap((r) => (r.campaign ? [r.campaign] : [])));
        const teams = await teamsByName(tx, ctx.companyId, batch.flatMap((r) => (r.team ? [r.team] : [])));
        const members = await membersByRef(tx, ctx.companyId, batch.flatMap((r) => (r.member ? [r.member] : [])));
        const out = new Map<number, Resolved>();
        for (const r of batch) {
          let campaignId: string | null = null;
          if (r.campaign !== null) {
            const ids = campaigns.get(r.campaign) ?? [];
            if (ids.length !== 1) {
              out.set(r.line, {
                error: ids.length === 0 ? `unknown campaign: campaign "${r.campaign}"` : `ambiguous campaign: campaign "${r.campaign}" names ${ids.length} campaigns (use its external_id)`,
                field: "campaign",
              });
              continue;
            }
            campaignId = ids[0]!;
          }
          let teamId: string | null = null;
          if (r.team !== null) {
            const id = teams.get(nameKey(r.team));
            if (id === undefined) {
              out.set(r.line, { error: `unknown team: team "${r.team}"`, field: "team" });
              continue;
            }
            teamId = id;
          }
          let memberId: string | null = null;
          if (r.member !== null) {
            const m = oneMember(members, r.member, "member");
            if ("error" in m) {
              out.set(r.line, m);
              continue;
            }
            memberId = m.id;
            teamId ??= m.teamId;
          }
          out.set(r.line, { values: [campaignId, teamId, memberId, r.kind, r.amount, r.at] });
        }
        return out;
      }),
  }),
  export: {
    order: "t.at, t.id",
    externalIdFallback: true,
    extra: [
      { header: "campaign", sql: "coalesce(cp.external_id, cp.id::text)" },
      { header: "team", sql: "tm.name" },
      { header: "member", sql: "coalesce(m.email, m.name)" },
    ],
    joins: ["LEFT JOIN campaigns cp ON cp.id = t.campaign_id", "LEFT JOIN teams tm ON tm.id = t.team_id", "LEFT JOIN members m ON m.id = t.member_id"],
  },
});
