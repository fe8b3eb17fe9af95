// Orders (purchases) of a customer.
import { factImport, iso } from "../import/facts.js";
import { RowRejected } from "../import/row.js";
import { cents } from "../db/bulk.js";
import { defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerExport, customerFields } from "./shared.js";

export const orders = defineSource({
  name: "orders",
  table: "orders",
  description: "Orders (purchases) with amount, product, category and sales channel.",
  columns: {
    external_id: "text", customer_id: "uuid", team_id: "uuid", member_id: "uuid", amount: "numeric", currency: "text", product: "text",
    category: "text", channel: "text", at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id" },
    timeFields: ["at"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "order id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      amount: { sql: "t.amount", type: "number", description: "order amount" },
      product: { sql: "t.product", type: "string", description: "product" },
      category: { sql: "t.category", type: "string", description: "product category" },
      channel: { sql: "t.channel", type: "string", description: "sales channel" },
      at: { sql: "t.at", type: "timestamp", description: "when the order was placed" },
      daysBeforeWindowEnd: { sql: "(EXTRACT(EPOCH FROM (w.e - t.at)) / 86400.0)", type: "number", description: "days from the order to the window's end (recency)" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "sales channel" },
      product: { sql: "t.product", type: "string", description: "product" },
      category: { sql: "t.category", type: "string", description: "product category" },
      ...customerDims,
    },
  },
  import: factImport({
    kind: "orders",
    table: "orders",
    externalId: col("external_id", ["order_id", "order_no", "order_number", "id", "订单号", "订单编号"], "blank: derived from the row (see [Idempotent](#idempotent))"),
    columns: [
      col("amount", ["total", "value", "order_amount", "price", "金额", "订单金额", "实付金额"], "**required**; money (see [Numbers](#numbers)); negative refused", true),
      col("currency", ["币种", "货币"], "ISO 4217 (`RMB`, `元` → CNY); blank → the company's currency"),
      col("product", ["product_name", "item", "sku", "产品", "商品", "产品名称"], "blank → `unknown`"),
      col("category", ["product_category", "类别", "品类", "分类"], "software, hardware, services, consumables; unknown or blank → `other`"),
      col("channel", ["sales_channel", "渠道", "销售渠道"], "online, sales_rep, phone, partner, store; unknown or blank → `other`"),
      col("at", ["date", "order_date", "ordered_at", "created_at", "time", "日期", "下单时间", "订单日期"], "**required**; date", true),
    ],
    tableColumns: [
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
      } else if (!/^[A-Z]{3}$/.test(currency)) throw new RowRejected(`currency is not an ISO 4217 code: "${currency}"`, "currency");
      let product = row.text("product", false, 300);
      if (product === null) {
        product = "unknown";
        row.filled("product");
      }
      const category = row.vocab("category", "orders.category", "other");
      const channel = row.vocab("channel", "orders.channel", "other");
      return [cents(amount), currency, product, category, channel, iso(at)];
    },
  }),
  export: { order: "t.at, t.id", externalIdFallback: true, ...customerExport },
});
