// Stage history of opportunities: one row each time one enters a stage.
import { iso } from "../import/facts.js";
import { opportunitiesByExternalId } from "../import/lookup.js";
import { derivedId } from "../import/row.js";
import { writeKeyedBatch, type KeyedRow, type KeyedTable, type Resolved } from "../import/write-keyed.js";
import { defineImport, defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerFields } from "./shared.js";

interface StageRow extends KeyedRow {
  readonly opportunity: string;
  readonly stage: string;
  readonly enteredAt: string;
}

/** Position in the funnel; lost is 0 (the funnel KPIs read stage names, stageOrder orders them). */
export const STAGE_ORDER: Readonly<Record<string, number>> = { lead: 1, qualified: 2, proposal: 3, negotiation: 4, won: 5, lost: 0 };

const TABLE: KeyedTable = {
  table: "opportunity_stages",
  columns: [
    { name: "opportunity_id", type: "uuid" }, { name: "customer_id", type: "uuid" }, { name: "team_id", type: "uuid" }, { name: "member_id", type: "uuid" },
    { name: "stage", type: "text" }, { name: "stage_order", type: "int" }, { name: "entered_at", type: "timestamptz" },
  ],
};

export const opportunityStages = defineSource({
  name: "opportunityStages",
  table: "opportunity_stages",
  description: "Stage history: one row each time an opportunity enters a funnel stage.",
  columns: {
    external_id: "text", opportunity_id: "uuid", customer_id: "uuid", team_id: "uuid", member_id: "uuid", stage: "text", stage_order: "int", entered_at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id", opportunity: "t.opportunity_id" },
    timeFields: ["enteredAt"],
    fields: {
      ...customerFields,
      opportunityId: { sql: "t.opportunity_id", type: "id", description: "opportunity" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      stage: { sql: "t.stage", type: "string", description: "lead, qualified, proposal, negotiation, won, lost" },
      stageOrder: { sql: "t.stage_order", type: "number", description: "position in the funnel (1 = lead, 0 = lost)" },
      enteredAt: { sql: "t.entered_at", type: "timestamp", description: "when the stage was entered" },
    },
    dimensions: {
      funnelStage: { sql: "t.stage", type: "string", description: "funnel stage" },
      ...customerDims,
    },
  },
  import: defineImport<StageRow>({
    kind: "opportunity_stages",
    after: ["opportunities"],
    notes:
      "The stage history, one row each time an opportunity **entered** a stage (the funnel and stage-conversion\n" +
      "KPIs read it). A row names its opportunity by external id; an unknown one rejects the row\n" +
      "(`unknown opportunity: opportunity \"D-9\"`): import the opportunities first. The row takes the\n" +
      "opportunity's customer, team and member. Rows without an external id get one derived from the\n" +
      "opportunity, the stage and the time, so the same history imported again changes nothing. (Chosen over\n" +
      "stage-date columns on the opportunity: a deal can enter a stage twice, and a CRM's stage history — Zoho\n" +
      "CRM's *Stage History* of a deal — is such rows.)",
    columns: [
      col("external_id", ["stage_history_id", "history_id", "id", "记录编号"], "blank: derived from the row"),
      col("opportunity", ["opportunity_external_id", "opportunity_id", "deal_id", "deal", "商机编号", "商机"], "**required**: the opportunity's external id", true),
      col("stage", ["deal_stage", "sales_stage", "stage_name", "阶段", "销售阶段", "商机阶段"], "**required**: as for opportunities; anything else is refused", true),
      col("entered_at", ["date", "changed_at", "modified_time", "last_modified_time", "stage_date", "进入时间", "变更时间", "日期"], "**required**; date", true),
    ],
    read(row) {
      const opportunity = row.id("opportunity");
      if (opportunity === null) row.text("opportunity", true);
      const stage = row.vocab("stage", "opportunities.stage")!;
      const enteredAt = iso(row.date("entered_at", true))!;
      const given = row.id("external_id");
      if (given === null) row.events.push({ k: "derived" });
      return {
        line: row.line, externalId: given ?? derivedId("opportunity_stages", [opportunity, stage, enteredAt]), derived: given === null,
        opportunity: opportunity!, stage, enteredAt, warnings: row.warnings, events: row.events,
      };
    },
    write: (tx, ctx, rows) =>
      writeKeyedBatch(tx, ctx, TABLE, rows, async (batch) => {
        const opps = await opportunitiesByExternalId(tx, ctx.companyId, batch.map((r) => r.opportunity));
        const out = new Map<number, Resolved>();
        for (const r of batch) {
          const o = opps.get(r.opportunity);
          out.set(
            r.line,
            o ? { values: [o.id, o.customerId, o.teamId, o.memberId, r.stage, String(STAGE_ORDER[r.stage]), r.enteredAt] } : { error: `unknown opportunity: opportunity "${r.opportunity}"`, field: "opportunity" },
          );
        }
        return out;
      }),
  }),
  export: {
    order: "t.entered_at, t.id",
    externalIdFallback: true,
    extra: [{ header: "opportunity", sql: "coalesce(o.external_id, o.id::text)" }],
    joins: ["LEFT JOIN opportunities o ON o.id = t.opportunity_id"],
  },
});
