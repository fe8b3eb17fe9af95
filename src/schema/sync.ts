// Sync mutations for integrators: one per import kind (syncCustomers,
// syncOrders …), each with a typed input object generated from the source's
// declaration (src/sources): one field per import column, camelCase. A batch
// upserts records by external id and deletes by external id, cleaned, matched
// and rejected per record exactly as a CSV file is (src/import/sync.ts), in one
// transaction with the data-version bump. A kind added to the declarations gets
// its mutation with no change here.
import { IMPORT_DECLARATIONS } from "../sources/index.js";
import { deletableKind, MAX_SYNC_ROWS, runSync, SyncRefused, type SyncIssue, type SyncOutcome } from "../import/sync.js";
import { builder } from "./builder.js";
import { companyOf } from "./context.js";
import { userError } from "./errors.js";

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const pascal = (snake: string) => camel(snake).replace(/^./, (c) => c.toUpperCase());
/** docs/import.md's rule text without its Markdown links. */
const plain = (rule: string) => rule.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").replace(/\*\*/g, "").replace(/`/g, "");

/** GraphQL type of a column's value: instants as DateTime, money as Decimal, counts, flags; anything else text the cleaner reads. */
type ColumnType = "String" | "Boolean" | "Int" | "Float" | "Decimal" | "DateTime" | "JSON";
function typeOf(column: string): ColumnType {
  if (column === "at" || column.endsWith("_at")) return "DateTime";
  if (column === "amount") return "Decimal";
  if (["escalated", "reopened", "active"].includes(column)) return "Boolean";
  if (["scale", "duration_seconds", "satisfaction", "stage_order"].includes(column)) return "Int";
  if (column === "score") return "Float";
  if (column === "attributes") return "JSON";
  return "String";
}

const SyncIssueRef = builder.objectRef<SyncIssue>("SyncIssue").implement({
  description: "A record of the batch that was refused (or written with a remark), and why.",
  fields: (t) => ({
    index: t.exposeInt("index", { description: "Position of the record in upsert (or of the id in delete), from 0." }),
    field: t.exposeString("field", { nullable: true, description: "The record's field at fault (the column name, as in docs/import.md), when one is." }),
    reason: t.exposeString("reason", { description: "Why, in words." }),
  }),
});

const SyncResultRef = builder.objectRef<SyncOutcome>("SyncResult").implement({
  description: "What a sync batch did. Rows are counted like a CSV import's.",
  fields: (t) => ({
    committed: t.exposeBoolean("committed", { description: "false when allOrNothing rolled the batch back because a record was rejected." }),
    inserted: t.exposeInt("inserted", { description: "Records created." }),
    updated: t.exposeInt("updated", { description: "Existing records changed." }),
    unchanged: t.exposeInt("unchanged", { description: "Records already stored with the same values (a batch sent again)." }),
    deleted: t.exposeInt("deleted", { description: "Records deleted by external id." }),
    rejected: t.expose("rejected", { type: [SyncIssueRef], description: "Records refused, with the field and reason; the others were written (unless allOrNothing)." }),
    warnings: t.expose("warnings", { type: [SyncIssueRef], description: "Records written with a remark (an unknown owner left unassigned …)." }),
    notFound: t.exposeStringList("notFound", { description: "External ids in delete that named no record (already deleted, or never synced)." }),
    dataVersion: t.exposeInt("dataVersion", { description: "The company's data version after the batch; it moves whenever a record changed, so cached metric values of the old data are never served." }),
  }),
});

for (const decl of IMPORT_DECLARATIONS) {
  const kind = decl.import.kind;
  const name = pascal(kind);
  const columns = decl.import.columns;
  const RowInput = builder.inputType(`${name}SyncRecord`, {
    description: `One ${kind} record, by the columns of the ${kind} import (docs/import.md); omitted fields are blank cells.`,
    fields: (t) => {
      const fields: Record<string, ReturnType<typeof t.string>> = {};
      for (const c of columns) {
        const rule = plain(c.rule).trim();
        const description = `The ${c.name} column${rule ? `: ${rule}` : ""}.`;
        fields[camel(c.name)] = t.field({ type: typeOf(c.name), required: false, description }) as unknown as ReturnType<typeof t.string>;
      }
      return fields;
    },
  });
  const canDelete = deletableKind(kind);
  const Input = builder.inputType(`Sync${name}Input`, {
    description: `A batch of ${kind} changes: records to upsert by external id${canDelete ? " and external ids to delete" : ""}; at most ${MAX_SYNC_ROWS} of each.`,
    fields: (t) => ({
      upsert: t.field({ type: [RowInput], required: false, description: `Records to create or update (matched as in a CSV import), at most ${MAX_SYNC_ROWS}.` }),
      ...(canDelete
        ? { delete: t.stringList({ required: false, description: `External ids of ${kind} records to delete (a cancelled order, a merged customer), at most ${MAX_SYNC_ROWS}; run after the upserts.` }) }
        : {}),
      dayFirst: t.boolean({ required: false, defaultValue: false, description: "Read text dates such as 03/05/2026 day first." }),
      allOrNothing: t.boolean({ required: false, defaultValue: false, description: "Write nothing if any record is rejected (default: the others are written, as in a CSV import)." }),
    }),
  });
  const fieldOf = new Map(columns.map((c) => [camel(c.name), c.name]));
  builder.mutationField(`sync${name}`, (t) =>
    t.field({
      type: SyncResultRef,
      authScopes: { manager: true },
      description: `Upserts${canDelete ? " and deletes" : ""} ${kind} records by external id, cleaned and checked like the ${kind} CSV import, in one transaction that also bumps the data version. The same batch again changes nothing. Audited.`,
      args: { input: t.arg({ type: Input, required: true, description: "The batch." }) },
      resolve: async (_root, { input }, ctx) => {
        const args = input as { upsert?: Record<string, unknown>[] | null; delete?: string[] | null; dayFirst?: boolean | null; allOrNothing?: boolean | null };
        // GraphQL names → the declaration's column names, which the cleaner reads.
        const records = (args.upsert ?? []).map((r) =>
          Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (v === undefined ? [] : [[fieldOf.get(k) ?? k, v]]))),
        );
        try {
          return await runSync(ctx.db, companyOf(ctx), {
            kind,
            upsert: records,
            delete: args.delete ?? [],
            dayFirst: args.dayFirst ?? false,
            allOrNothing: args.allOrNothing ?? false,
            actor: `apiKey:${ctx.viewer!.keyId}`,
          });
        } catch (err) {
          if (err instanceof SyncRefused) throw userError("BAD_USER_INPUT", err.field, err.message);
          throw err;
        }
      },
    }),
  );
}
