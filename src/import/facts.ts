// The four fact kinds: how a cleaned row reads from CSV cells and which table
// columns it fills. A fact names its customer (external id, email or phone); the
// writer resolves it and copies the customer's current owner onto the row.
import { cents, type SqlType } from "../seed/bulk.js";
import { derivedId, Row, RowRejected, type CustomerRef } from "./row.js";
import type { StatEvent } from "./stats.js";

export type FactKind = "orders" | "interactions" | "tickets" | "survey_responses";

export interface FactColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface FactRow {
  readonly line: number;
  readonly externalId: string;
  /** The external id was derived from the row's content. */
  readonly derived: boolean;
  readonly customer: CustomerRef;
  /** Text values of the kind's columns, in FactSpec.columns order. */
  readonly values: readonly (string | null)[];
  readonly warnings: readonly string[];
  readonly events: readonly StatEvent[];
}

export interface FactSpec {
  readonly table: string;
  /** Columns besides id, company_id, external_id, customer_id, team_id, member_id. */
  readonly columns: readonly FactColumn[];
  read(row: Row): (string | null)[];
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function notBefore(later: Date | null, laterName: string, earlier: Date, earlierName: string): void {
  if (later !== null && later.getTime() < earlier.getTime()) throw new RowRejected(`${laterName} is before ${earlierName}`);
}

const DEFAULT_SCALE: Record<string, number> = { csat: 5, nps: 10, ces: 7, custom: 5 };

export const FACTS: Record<FactKind, FactSpec> = {
  orders: {
    table: "orders",
    columns: [
      { name: "amount", type: "numeric" }, { name: "currency", type: "text" }, { name: "product", type: "text" },
      { name: "category", type: "text" }, { name: "channel", type: "text" }, { name: "at", type: "timestamptz" },
    ],
    read(row) {
      const amount = row.money("amount");
      const at = row.date("at", true);
      let currency = row.text("currency")?.normalize("NFKC").toUpperCase() ?? null;
      if (currency === "RMB" || currency === "元") currency = "CNY";
      if (currency === null) {
        currency = row.env.currency;
        row.filled("currency");
      } else if (!/^[A-Z]{3}$/.test(currency)) throw new RowRejected(`currency is not an ISO 4217 code: "${currency}"`);
      let product = row.text("product", false, 300);
      if (product === null) {
        product = "unknown";
        row.filled("product");
      }
      const category = row.vocab("category", "orders.category", "other");
      const channel = row.vocab("channel", "orders.channel", "other");
      return [cents(amount), currency, product, category, channel, iso(at)];
    },
  },
  interactions: {
    table: "interactions",
    columns: [
      { name: "channel", type: "text" }, { name: "direction", type: "text" }, { name: "duration_seconds", type: "int" },
      { name: "outcome", type: "text" }, { name: "responded_at", type: "timestamptz" }, { name: "at", type: "timestamptz" },
    ],
    read(row) {
      const at = row.date("at", true);
      const direction = row.vocab("direction", "interactions.direction");
      const channel = row.vocab("channel", "interactions.channel", "other");
      let seconds = row.duration("duration_seconds");
      if (seconds === null) {
        seconds = 0;
        if (row.has("duration_seconds")) row.filled("duration_seconds");
      }
      const outcome = row.text("outcome", false, 100)?.toLowerCase().replace(/[\s-]+/g, "_") ?? null;
      const respondedAt = row.date("responded_at");
      notBefore(respondedAt, "responded_at", at, "at");
      return [channel, direction, String(seconds), outcome, iso(respondedAt), iso(at)];
    },
  },
  tickets: {
    table: "tickets",
    columns: [
      { name: "kind", type: "text" }, { name: "category", type: "text" }, { name: "priority", type: "text" },
      { name: "channel", type: "text" }, { name: "subject", type: "text" }, { name: "opened_at", type: "timestamptz" },
      { name: "first_response_at", type: "timestamptz" }, { name: "resolved_at", type: "timestamptz" },
      { name: "due_at", type: "timestamptz" }, { name: "escalated", type: "boolean" }, { name: "reopened", type: "boolean" },
      { name: "satisfaction", type: "int" },
    ],
    read(row) {
      const openedAt = row.date("opened_at", true);
      const firstResponseAt = row.date("first_response_at");
      const resolvedAt = row.date("resolved_at");
      notBefore(firstResponseAt, "first_response_at", openedAt, "opened_at");
      notBefore(resolvedAt, "resolved_at", openedAt, "opened_at");
      const dueAt = row.date("due_at");
      const satisfaction = row.integer("satisfaction");
      if (satisfaction !== null && (satisfaction < 1 || satisfaction > 5)) throw new RowRejected(`satisfaction must be 1–5, got ${satisfaction}`);
      return [
        row.vocab("kind", "tickets.kind", "complaint"),
        row.vocab("category", "tickets.category", "other"),
        row.vocab("priority", "tickets.priority", "normal"),
        row.vocab("channel", "tickets.channel", "other"),
        row.text("subject", false, 500),
        iso(openedAt), iso(firstResponseAt), iso(resolvedAt), iso(dueAt),
        String(row.boolean("escalated", false)), String(row.boolean("reopened", false)),
        satisfaction === null ? null : String(satisfaction),
      ];
    },
  },
  survey_responses: {
    table: "survey_responses",
    columns: [
      { name: "kind", type: "text" }, { name: "question", type: "text" }, { name: "score", type: "float8" },
      { name: "scale", type: "int" }, { name: "comment", type: "text" }, { name: "at", type: "timestamptz" },
    ],
    read(row) {
      const kind = row.vocab("kind", "survey_responses.kind")!;
      const at = row.date("at", true);
      const score = row.number("score", true);
      let scale = row.integer("scale");
      if (scale === null) {
        scale = DEFAULT_SCALE[kind] ?? 5;
        row.filled("scale");
      }
      if (scale < 1 || scale > 100) throw new RowRejected(`scale must be 1–100, got ${scale}`);
      // NPS runs 0–10; CSAT and CES scales start at 1.
      const min = kind === "csat" || kind === "ces" ? 1 : 0;
      if (score < min || score > scale) throw new RowRejected(`score ${score} is outside ${min}–${scale} for ${kind}`);
      return [kind, row.text("question", false, 500), String(score), String(scale), row.multiline("comment"), iso(at)];
    },
  },
};

/** Cleans one fact record; throws RowRejected with the reason. */
export function readFact(kind: FactKind, row: Row): FactRow {
  const spec = FACTS[kind];
  const customer = row.customerRef();
  const given = row.id("external_id");
  const values = spec.read(row);
  let externalId = given;
  if (externalId === null) {
    externalId = derivedId(kind, [`${customer.by}:${customer.value}`, ...values]);
    row.events.push({ k: "derived" });
  }
  return { line: row.line, externalId, derived: given === null, customer, values, warnings: row.warnings, events: row.events };
}
