// Generated CSV files for the import tests: customers with owners, and large
// order files written line by line (never held whole in memory) in the mixed
// formats real exports have, with faulty rows planted at known lines. The
// generator knows each planted row's line and the reason the importer must give,
// and what the good rows add up to.
import { once } from "node:events";
import { createWriteStream } from "node:fs";

export interface CustomerFixture {
  externalId: string;
  email: string;
  /** The team the customer's owner belongs to (attribution check). */
  team: string;
  ownerEmail: string;
}

export interface Planted {
  line: number;
  reason: string;
}

export interface OrdersFile {
  file: string;
  /** Rows (records) in the file, planted ones included; blank lines are not rows. */
  rows: number;
  goodRows: number;
  /** Physical lines, header included. */
  lines: number;
  sumCents: bigint;
  sumCentsByTeam: Map<string, bigint>;
  /** External ids the good rows carry (derived ones excluded). */
  externalIds: string[];
  /** Good rows without an order id: the importer derives their ids. */
  derivedRows: number;
  planted: Planted[];
  /** Cells that must map to "other": category and channel spellings → rows. */
  otherCategories: number;
  otherChannels: number;
}

export const ORDER_HEADER = ["order_id", "customer", "customer_email", "amount", "date", "product", "category", "channel"];

/** CSV cell: quoted when it holds a comma, quote or line break. */
function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

class LineWriter {
  private readonly out;
  private buffer: string[] = [];
  line = 0;

  constructor(file: string) {
    this.out = createWriteStream(file);
  }

  async write(cells: readonly string[] | string): Promise<number> {
    const text = typeof cells === "string" ? cells : cells.map(cell).join(",");
    const start = this.line + 1;
    this.line += 1 + (text.match(/\n/g)?.length ?? 0);
    this.buffer.push(text);
    if (this.buffer.length >= 5000) await this.flush();
    return start;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("\n") + "\n";
    this.buffer = [];
    if (!this.out.write(chunk)) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, "close");
  }
}

export function makeCustomers(n: number, owners: readonly { email: string; team: string }[]): CustomerFixture[] {
  return Array.from({ length: n }, (_, i) => {
    const owner = owners[i % owners.length]!;
    return { externalId: `C${i + 1}`, email: `c${i + 1}@example.cn`, team: owner.team, ownerEmail: owner.email };
  });
}

export async function writeCustomersCsv(file: string, customers: readonly CustomerFixture[]): Promise<void> {
  const w = new LineWriter(file);
  await w.write(["customer_id", "name", "email", "owner"]);
  for (const c of customers) await w.write([c.externalId, `Customer ${c.externalId}`, c.email, c.ownerEmail]);
  await w.close();
}

const pad = (n: number) => String(n).padStart(2, "0");

/** One instant written in one of the accepted formats (the company is in Asia/Shanghai, +08:00, no DST). */
function dateText(ms: number, style: number): string {
  const local = new Date(ms + 8 * 3_600_000);
  const [y, mo, d, h, mi] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes()];
  switch (style % 6) {
    case 0: return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}`;
    case 1: return `${y}/${pad(mo)}/${pad(d)} ${pad(h)}:${pad(mi)}`;
    case 2: return `${pad(d)}.${pad(mo)}.${y} ${pad(h)}:${pad(mi)}`;
    case 3: return `${mo}/${d}/${y} ${h}:${pad(mi)}`;
    case 4: return new Date(ms).toISOString().replace(".000Z", "Z");
    default: return `${y}年${mo}月${d}日 ${pad(h)}:${pad(mi)}`;
  }
}

function amountText(cents: number, style: number): string {
  const whole = Math.floor(cents / 100);
  const frac = pad(cents % 100);
  switch (style % 5) {
    case 0: return `${whole}.${frac}`;
    case 1: return `¥${whole.toLocaleString("en-US")}.${frac}`;
    case 2: return ` ${whole}.${frac} `;
    case 3: return `${whole.toLocaleString("de-DE")},${frac}`;
    default: return `CNY ${whole}.${frac}`;
  }
}

const CATEGORIES = ["software", "软件", "Hardware", "services", "Gadgets", "", "consumables"];
const CHANNELS = ["online", "web", "电话", "Sales Rep", "fax", "store"];

export interface OrdersOptions {
  goodRows: number;
  customers: readonly CustomerFixture[];
  /** Plant faulty rows (one every `plantEvery` good rows). */
  plantEvery?: number;
  /** First order number (O<n>), so two files can hold different orders. */
  firstId?: number;
}

export async function writeOrdersCsv(file: string, options: OrdersOptions): Promise<OrdersFile> {
  const { goodRows, customers } = options;
  const firstId = options.firstId ?? 1;
  const w = new LineWriter(file);
  await w.write(ORDER_HEADER);
  const result: OrdersFile = {
    file, rows: 0, goodRows: 0, lines: 0, sumCents: 0n, sumCentsByTeam: new Map(), externalIds: [], derivedRows: 0,
    planted: [], otherCategories: 0, otherChannels: 0,
  };
  const base = Date.UTC(2025, 0, 1);
  // Good rows already written, to copy as duplicates: one with an order id, one without.
  let farBack: { cells: string[]; line: number } | null = null;
  let lastWithId: { cells: string[]; line: number } | null = null;
  let lastDerived: { cells: string[]; line: number } | null = null;
  let kind = 0;

  const plant = async (cells: readonly string[] | string, reason: (line: number) => string) => {
    const line = await w.write(cells);
    result.rows++;
    result.planted.push({ line, reason: reason(line) });
  };

  for (let i = 0; i < goodRows; i++) {
    const c = customers[(i * 7) % customers.length]!;
    const derived = i % 97 === 5;
    const id = derived ? "" : `O${firstId + i}`;
    const byEmail = i % 20 === 3;
    const cents = 100 + ((i * 7919) % 500_000);
    const category = CATEGORIES[i % CATEGORIES.length]!;
    const channel = CHANNELS[i % CHANNELS.length]!;
    // One product name with a line break: the record spans two lines.
    const product = i === 1234 ? "Thermal Paper\n(box of 10)" : `Product ${i % 12}`;
    const cells = [
      id,
      byEmail ? "" : c.externalId,
      byEmail ? `  ${c.email.toUpperCase()} ` : "",
      amountText(cents, i),
      dateText(base + (firstId + i) * 60_000, i),
      product,
      category,
      channel,
    ];
    const line = await w.write(cells);
    result.rows++;
    result.goodRows++;
    result.sumCents += BigInt(cents);
    result.sumCentsByTeam.set(c.team, (result.sumCentsByTeam.get(c.team) ?? 0n) + BigInt(cents));
    if (derived) result.derivedRows++;
    else result.externalIds.push(id);
    if (category === "Gadgets" || category === "") result.otherCategories++;
    if (channel === "fax") result.otherChannels++;
    if (derived) lastDerived = { cells, line };
    else {
      lastWithId = { cells, line };
      if (i === 10) farBack = { cells, line };
    }

    if (i === 500) await w.write(""); // a blank line: skipped, but it shifts every later line number
    if (i === 501) await w.write(",,,,,,,"); // a row of empty cells: skipped too

    const every = options.plantEvery;
    if (every === undefined || i % every !== every - 1) continue;
    const ok = (over: Partial<Record<(typeof ORDER_HEADER)[number], string>>) => ORDER_HEADER.map((h, k) => over[h] ?? cells[k]!);
    const pid = `P${firstId + i}`;
    switch (kind++ % 15) {
      case 0: await plant(ok({ order_id: pid, date: "2026-02-30" }), () => 'at: no such date: "2026-02-30"'); break;
      case 1: await plant(ok({ order_id: pid, date: "13/45/2026" }), () => 'at: no such date: "13/45/2026"'); break;
      case 2: await plant(ok({ order_id: pid, date: "yesterday" }), () => 'at: not a date in an accepted format: "yesterday"'); break;
      case 3: await plant(ok({ order_id: pid, customer: `CX-${i}`, customer_email: "" }), () => `unknown customer: customer_external_id "CX-${i}"`); break;
      case 4: await plant(ok({ order_id: pid, amount: "-12.50" }), () => 'negative amount: "-12.50"'); break;
      case 5: await plant(ok({ order_id: pid, amount: "(40.00)" }), () => 'negative amount: "(40.00)"'); break;
      case 6: await plant([pid, c.externalId, "", "12.00"], () => "expected 8 columns, found 4"); break;
      case 7: await plant([...ok({ order_id: pid }), "surplus"], () => "expected 8 columns, found 9"); break;
      case 8: await plant(ok({ order_id: pid, amount: "" }), () => "missing amount"); break;
      case 9: await plant(ok({ order_id: pid, date: " " }), () => "missing at"); break;
      case 10: await plant(ok({ order_id: pid, customer: "", customer_email: "" }), () => "missing customer (customer_external_id, customer_email or customer_phone)"); break;
      case 11: {
        const d = farBack!;
        await plant(d.cells, () => `duplicate of line ${d.line} (external_id "${d.cells[0]}")`);
        break;
      }
      case 12: {
        const d = lastWithId!;
        await plant(d.cells, () => `duplicate of line ${d.line} (external_id "${d.cells[0]}")`);
        break;
      }
      case 13: {
        const d = lastDerived!;
        await plant(d.cells, () => `duplicate of line ${d.line} (identical row)`);
        break;
      }
      default: await plant(ok({ order_id: pid, amount: "12abc" }), () => 'amount is not a number: "12abc"'); break;
    }
  }
  await w.close();
  result.lines = w.line;
  return result;
}
