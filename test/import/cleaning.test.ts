import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeEmail, normalizePhone } from "../../src/import/contact.js";
import { parseDate } from "../../src/import/dates.js";
import { parseDuration, parseMoney } from "../../src/import/numbers.js";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Data cleaning (数据清洗) through the importCsv mutation with small files:
// trimming, emails, phones, dates in the company's zone, categories mapped to
// "other", customers deduplicated by external id, email and phone; and the
// rows that cannot be read reported by line and reason.
const IMPORT = /* GraphQL */ `
  mutation ($kind: ImportKind!, $csv: String!, $fileName: String, $dayFirst: Boolean, $restart: Boolean) {
    importCsv(kind: $kind, csv: $csv, fileName: $fileName, dayFirst: $dayFirst, restart: $restart) {
      id status fileName rowsProcessed rowsImported rowsUpdated rowsUnchanged rowsRejected lastLine totalLines progress error stats
      rejects { line reason }
      warnings { line reason }
    }
  }
`;

interface Job {
  id: string;
  status: string;
  rowsProcessed: number;
  rowsImported: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  lastLine: number;
  totalLines: number;
  progress: number;
  error: string | null;
  stats: { mappedToOther: Record<string, Record<string, number>>; filled: Record<string, number>; synonyms: Record<string, number>; dateFormats: Record<string, number>; customersMerged: number; derivedExternalIds: number; emailsNormalised: number; phonesNormalised: number };
  rejects: { line: number; reason: string }[];
  warnings: { line: number; reason: string }[];
}

describe(`cleaning on import (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let memberId: string;
  let teamId: string;

  const importCsv = async (kind: string, csv: string, extra: Record<string, unknown> = {}) =>
    dataOf(await t.gql<{ importCsv: Job }>(IMPORT, { kind, csv, ...extra }, co.keys.manager)).importCsv;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "clean", { timeZone: "Asia/Shanghai", currency: "CNY" });
    const team = await t.db.prisma.team.create({ data: { companyId: co.id, name: "East" } });
    teamId = team.id;
    memberId = (await t.db.prisma.member.create({ data: { companyId: co.id, teamId, name: "Li Lei", email: "li.lei@clean.example" } })).id;
  });
  afterAll(() => t.close());

  it("normalises, deduplicates and reports customers", async () => {
    const csv = [
      "客户编号,名称,邮箱,电话,客户类型,负责人,签约时间",
      " C-1 ,Alpha Co,  Alpha@Example.CN ,138 1234 5678,大客户,li.lei@clean.example,2026/03/05",
      "C-2,Beta,mailto:beta@example.cn,+86 (0)139-0000-0000,SMB,Li Lei,05.03.2026",
      ",Gamma,GAMMA＠example.cn,,weird segment,,",
      ",,gamma@example.cn,0086 137 0000 0000,,,",
      ",Delta By Phone,,137-0000-0000,,,",
      "C-3,Bad Email,not-an-email,,,,",
      "C-4,Bad Phone,,12,,,",
      "C-5,Bad Date,,,,,2026-02-30",
      "C-1,Alpha Again,,,enterprise,,",
      ",Zhang Wei,,,,,",
      "C-6,Nobody's,,,,ghost@clean.example,",
    ].join("\n");
    const job = await importCsv("CUSTOMERS", csv, { fileName: "customers.csv" });
    expect(job).toMatchObject({ status: "DONE", rowsProcessed: 11, rowsImported: 6, rowsRejected: 3, lastLine: 12, progress: 1 });
    expect(job.rejects).toEqual([
      { line: 7, reason: 'email: invalid email "not-an-email"' },
      { line: 8, reason: 'phone: invalid phone "12"' },
      { line: 9, reason: 'acquired_at: no such date: "2026-02-30"' },
    ]);
    expect(job.warnings).toEqual([
      { line: 5, reason: "same customer as line 4: merged (only blank fields filled)" },
      { line: 6, reason: "same customer as line 4: merged (only blank fields filled)" },
      { line: 10, reason: "same customer as line 2: merged (only blank fields filled)" },
      { line: 12, reason: 'owner "ghost@clean.example" is not a member: left unassigned' },
    ]);
    expect(job.stats.mappedToOther).toEqual({ segment: { "weird segment": 1 } });
    expect(job.stats.customersMerged).toBe(3);

    const rows = await t.db.prisma.customer.findMany({ where: { companyId: co.id }, orderBy: { name: "asc" } });
    const pick = (name: string) => rows.find((r) => r.name === name);
    expect(rows.map((r) => r.name)).toEqual(["Alpha Co", "Beta", "Gamma", "Nobody's", "Zhang Wei"]);
    expect(pick("Alpha Co")).toMatchObject({
      externalId: "C-1", email: "alpha@example.cn", phone: "+8613812345678", segment: "enterprise",
      ownerMemberId: memberId, ownerTeamId: teamId, acquiredAt: new Date("2026-03-04T16:00:00.000Z"), lifecycleStage: "active",
    });
    expect(pick("Beta")).toMatchObject({ externalId: "C-2", email: "beta@example.cn", phone: "+8613900000000", segment: "smb", ownerMemberId: memberId });
    // Gamma: full-width ＠ read as @; the phone came from line 5 (a merge fills blanks), line 6 matched it by phone.
    expect(pick("Gamma")).toMatchObject({ externalId: null, email: "gamma@example.cn", phone: "+8613700000000", segment: "other", lifecycleStage: "prospect" });
    expect(pick("Zhang Wei")?.externalId).toMatch(/^row-[0-9a-f]{24}$/);
    expect(pick("Nobody's")).toMatchObject({ ownerMemberId: null, ownerTeamId: null });

    // The same text again: the finished job, nothing done; a restart re-reads every row and changes nothing.
    const again = await importCsv("CUSTOMERS", csv);
    expect(again.id).toBe(job.id);
    const restart = await importCsv("CUSTOMERS", csv, { restart: true });
    expect(restart.id).not.toBe(job.id);
    expect(restart).toMatchObject({ status: "DONE", rowsImported: 0, rowsUnchanged: 8, rowsRejected: 3 });
    expect(await t.db.prisma.customer.count({ where: { companyId: co.id } })).toBe(5);

    // A later file for the same customers: matched by external id, email or phone, updated, not duplicated.
    const update = await importCsv("CUSTOMERS", ["id,name,email,phone,lifecycle_stage", "C-2,Beta Ltd,,,流失", ",,ALPHA@example.cn,,at risk", ",,,+86 137 0000 0000,active"].join("\n"));
    expect(update).toMatchObject({ rowsImported: 3, rowsUpdated: 3, rowsRejected: 0 });
    const after = await t.db.prisma.customer.findMany({ where: { companyId: co.id }, orderBy: { name: "asc" } });
    expect(after.map((r) => [r.name, r.lifecycleStage])).toEqual([["Alpha Co", "at_risk"], ["Beta Ltd", "churned"], ["Gamma", "active"], ["Nobody's", "prospect"], ["Zhang Wei", "prospect"]]);
  });

  it("reads dates in the company's zone, maps categories and channels, cleans amounts", async () => {
    const csv = [
      "order_id,customer,customer_email,amount,date,category,channel,currency",
      'O-1,C-1,,"¥1,234.50",2026-03-05,软件,web,',
      'O-2,,BETA@example.cn ,"1.234,56",2026/03/05 14:30,Hardware,电话,usd',
      "O-3,C-1,,CNY 12,05.03.2026,Gadgets,fax,",
      "O-4,C-1,, 7 ,3/5/2026,,,",
      'O-5,C-1,,"1,5",25/3/2026,services,Sales Rep,',
      "O-6,C-1,,10,2026-03-05T14:30:00Z,services,store,",
      "O-7,C-1,,10,2026年3月5日 14:30,services,store,",
      "O-8,C-1,,10,46086,services,store,",
      "O-9,C-1,,(5.00),2026-03-05,services,store,",
      "O-10,C-1,,10,2026-02-30,services,store,",
      "O-11,C-404,,10,2026-03-05,services,store,",
      "O-12,C-1,,10,2026-03-05,services,store,EURO",
      "O-13,C-1,,10",
    ].join("\n");
    const job = await importCsv("ORDERS", csv);
    expect(job.rejects).toEqual([
      { line: 10, reason: 'negative amount: "(5.00)"' },
      { line: 11, reason: 'at: no such date: "2026-02-30"' },
      { line: 12, reason: 'unknown customer: customer_external_id "C-404"' },
      { line: 13, reason: 'currency is not an ISO 4217 code: "EURO"' },
      { line: 14, reason: "expected 8 columns, found 4" },
    ]);
    expect(job).toMatchObject({ rowsProcessed: 13, rowsImported: 8, rowsRejected: 5 });
    expect(job.stats.mappedToOther).toEqual({ category: { Gadgets: 1 }, channel: { fax: 1 } });
    expect(job.stats.filled).toMatchObject({ category: 1, channel: 1, currency: 7, product: 8 });
    expect(job.stats.dateFormats).toEqual({ ymd: 2, dmy: 2, mdy: 1, iso: 1, cn: 1, excel: 1 });

    const orders = await t.db.prisma.order.findMany({ where: { companyId: co.id }, orderBy: { externalId: "asc" } });
    const byId = Object.fromEntries(orders.map((o) => [o.externalId, o]));
    const row = (id: string) => {
      const o = byId[id]!;
      return [o.amount.toString(), o.currency, o.category, o.channel, o.at.toISOString()];
    };
    expect(row("O-1")).toEqual(["1234.5", "CNY", "software", "online", "2026-03-04T16:00:00.000Z"]);
    expect(row("O-2")).toEqual(["1234.56", "USD", "hardware", "phone", "2026-03-05T06:30:00.000Z"]);
    expect(row("O-3")).toEqual(["12", "CNY", "other", "other", "2026-03-04T16:00:00.000Z"]);
    expect(row("O-4")).toEqual(["7", "CNY", "other", "other", "2026-03-04T16:00:00.000Z"]);
    expect(row("O-5")).toEqual(["1.5", "CNY", "services", "sales_rep", "2026-03-24T16:00:00.000Z"]);
    expect(row("O-6")[4]).toBe("2026-03-05T14:30:00.000Z");
    expect(row("O-7")[4]).toBe("2026-03-05T06:30:00.000Z");
    expect(row("O-8")[4]).toBe("2026-03-04T16:00:00.000Z");
    // Facts take the customer's owner at import time.
    expect(byId["O-1"]).toMatchObject({ teamId, memberId });

    // dayFirst reads 3/5/2026 as 3 May.
    const dmy = await importCsv("ORDERS", ["order_id,customer,amount,date", "O-20,C-1,1,3/5/2026"].join("\n"), { dayFirst: true });
    expect(dmy.rowsImported).toBe(1);
    const o20 = await t.db.prisma.order.findFirstOrThrow({ where: { companyId: co.id, externalId: "O-20" } });
    expect(o20.at.toISOString()).toBe("2026-05-02T16:00:00.000Z");
  });

  it("reads interactions, tickets and survey responses", async () => {
    const interactions = await importCsv("INTERACTIONS", [
      "客户编号,渠道,方向,通话时长,结果,时间,回复时间",
      "C-1,电话,呼入,1:35,Resolved,2026-03-05 09:00,2026-03-05 09:10",
      "C-2,微信,out,2m 5s,follow up,2026-03-05 10:00,",
      "C-1,carrier pigeon,inbound,,,2026-03-05 11:00,",
      "C-1,phone,sideways,10,,2026-03-05 12:00,",
      "C-1,phone,inbound,10,,2026-03-05 12:00,2026-03-05 11:00",
    ].join("\n"));
    expect(interactions.rejects).toEqual([
      { line: 5, reason: 'direction must be one of inbound, outbound: "sideways"' },
      { line: 6, reason: "responded_at is before at" },
    ]);
    const rows = await t.db.prisma.interaction.findMany({ where: { companyId: co.id }, orderBy: { at: "asc" } });
    expect(rows.map((r) => [r.channel, r.direction, r.durationSeconds, r.outcome])).toEqual([
      ["phone", "inbound", 95, "resolved"], ["chat", "outbound", 125, "follow_up"], ["other", "inbound", 0, null],
    ]);

    const tickets = await importCsv("TICKETS", [
      "工单号,customer,类型,分类,优先级,渠道,标题,创建时间,解决时间,升级,满意度",
      "T-1,C-1,投诉,物流,P1,电话,Late delivery,2026-03-05 09:00,2026-03-06 09:00,是,4",
      "T-2,C-2,question,billing,whenever,portal,,2026-03-05 09:00,,no,",
      "T-3,C-1,complaint,billing,high,email,,2026-03-05 09:00,2026-03-04 09:00,,",
      "T-4,C-1,complaint,billing,high,email,,2026-03-05 09:00,,maybe,",
      "T-5,C-1,complaint,billing,high,email,,2026-03-05 09:00,,,7",
    ].join("\n"));
    expect(tickets.rejects).toEqual([
      { line: 4, reason: "resolved_at is before opened_at" },
      { line: 5, reason: 'escalated is not yes/no: "maybe"' },
      { line: 6, reason: "satisfaction must be 1–5, got 7" },
    ]);
    const t1 = await t.db.prisma.ticket.findFirstOrThrow({ where: { companyId: co.id, externalId: "T-1" } });
    expect(t1).toMatchObject({ kind: "complaint", category: "delivery", priority: "urgent", channel: "phone", escalated: true, satisfaction: 4 });
    const t2 = await t.db.prisma.ticket.findFirstOrThrow({ where: { companyId: co.id, externalId: "T-2" } });
    expect(t2).toMatchObject({ kind: "question", priority: "normal", channel: "web", escalated: false, satisfaction: null });

    const surveys = await importCsv("SURVEY_RESPONSES", [
      "customer_email,type,score,scale,comment,date",
      "alpha@example.cn,NPS,9,,\"Great,\nthanks\",2026-03-05",
      "alpha@example.cn,满意度,4,,,2026-03-05",
      "alpha@example.cn,ces,0,,,2026-03-05",
      "alpha@example.cn,nps,11,,,2026-03-05",
      "alpha@example.cn,pulse,3,,,2026-03-05",
    ].join("\n"));
    // The quoted comment spans lines 2–3, so later rows are numbered by their physical line.
    expect(surveys.rejects).toEqual([
      { line: 5, reason: "score 0 is outside 1–7 for ces" },
      { line: 6, reason: "score 11 is outside 0–10 for nps" },
    ]);
    const answers = await t.db.prisma.surveyResponse.findMany({ where: { companyId: co.id }, orderBy: { score: "desc" } });
    expect(answers.map((a) => [a.kind, a.score, a.scale, a.comment])).toEqual([["nps", 9, 10, "Great,\nthanks"], ["csat", 4, 5, null], ["custom", 3, 5, null]]);
  });

  it("cleans cells the same way outside the API", () => {
    expect(normalizeEmail("  Li.Wei＠Example。CN ")).toMatchObject({ ok: true, value: "li.wei@example.cn" });
    expect(normalizeEmail("Li Wei <li.wei@example.cn>")).toMatchObject({ ok: true, value: "li.wei@example.cn" });
    expect(normalizeEmail("a@b")).toMatchObject({ ok: false });
    expect(normalizePhone("１３８ １２３４ ５６７８", "86")).toMatchObject({ ok: true, value: { value: "+8613812345678", e164: true } });
    expect(normalizePhone("010-6552 9988 转 123", "86")).toMatchObject({ ok: true, value: { value: "+861065529988", e164: true } });
    expect(normalizePhone("(212) 555-0100", "1")).toMatchObject({ ok: true, value: { value: "+12125550100", e164: true } });
    expect(normalizePhone("12345678", "86")).toMatchObject({ ok: true, value: { value: "12345678", e164: false } });
    expect(normalizePhone("call me", "86")).toMatchObject({ ok: false });
    const zone = { zone: "Europe/Berlin", dayFirst: false };
    // Berlin springs forward at 02:00 on 29 March 2026: 02:30 does not exist and moves on by the gap.
    expect(parseDate("2026-03-29 02:30", "at", zone)).toMatchObject({ ok: true, value: new Date("2026-03-29T01:30:00.000Z") });
    expect(parseDate("2026-07-01 12:00", "at", zone)).toMatchObject({ ok: true, value: new Date("2026-07-01T10:00:00.000Z") });
    expect(parseDate("2026", "at", zone)).toMatchObject({ ok: false });
    expect(parseMoney("12abc", "amount")).toMatchObject({ ok: false });
    expect(parseMoney("1.234.567", "amount")).toEqual({ ok: true, value: 123_456_700n });
    expect(parseMoney("0.005", "amount")).toEqual({ ok: true, value: 1n });
    expect(parseDuration("1小时5分钟", "d")).toEqual({ ok: true, value: 3900 });
  });
});
