// Simulates one customer's life through the history window: lead and sales
// funnel, acquisition, monthly orders / interactions / tickets / surveys,
// upsell opportunities, and churn whose hazard rises after badly handled
// complaints. Each customer has its own random streams (values and ids), so a
// customer's data does not depend on how many customers come before it.
import { cents } from "../db/bulk.js";
import {
  ANY_HOUR, BUSINESS_HOURS, DAY_MS, HOUR_MS, RETAIL_HOURS, iso, randomTime, toMinute, type Calendar,
} from "./calendar.js";
import {
  BRAND_WORDS, CITIES, COMPANY_KINDS, GIVEN_NAMES, INDUSTRIES, LEGACY_CHANNELS, ORDER_CHANNELS, ORDER_SEASONALITY,
  PRIORITIES, PRODUCTS, RESPONSE_FACTOR, SEGMENTS, SLA_HOURS, STAGES, SURNAMES, SURVEY_COMMENTS_BAD,
  SURVEY_COMMENTS_GOOD, SURVEY_QUESTIONS, TICKET_CATEGORIES, TICKET_SUBJECTS,
  type InteractionChannel, type Product, type Segment,
} from "./catalog.js";
import type { MemberSim, Org } from "./org.js";
import { Rng, type WeightedChoice } from "./random.js";
import type { SeedTables } from "../db/tables.js";

export type Lifecycle = "prospect" | "new" | "active" | "mature" | "at_risk" | "churned";
export const LIFECYCLES: readonly Lifecycle[] = ["prospect", "new", "active", "mature", "at_risk", "churned"];

/** Share of customers already acquired before the window opens. */
export const EXISTING_SHARE = 0.3;

// Monthly rates per active customer, before team, season and health factors.
const ORDER_RATE: Record<Segment, number> = { enterprise: 1.3, smb: 0.75, consumer: 0.45 };
const INTERACTION_RATE: Record<Segment, number> = { enterprise: 2.0, smb: 0.9, consumer: 0.4 };
const TICKET_RATE: Record<Segment, number> = { enterprise: 0.2, smb: 0.12, consumer: 0.07 };
const UPSELL_RATE: Record<Segment, number> = { enterprise: 0.09, smb: 0.04, consumer: 0.012 };
const BASE_CHURN: Record<Segment, number> = { enterprise: 0.003, smb: 0.006, consumer: 0.01 };
const QUANTITY_MAX: Record<Segment, number> = { enterprise: 12, smb: 5, consumer: 2 };
/** Median opportunity value, CNY. */
const DEAL_VALUE: Record<Segment, number> = { enterprise: 60_000, smb: 9_000, consumer: 1_500 };
/** Sales-cycle length factor. */
const CYCLE: Record<Segment, number> = { enterprise: 1.7, smb: 1, consumer: 0.5 };
// Stage pass probabilities lead→qualified→proposal→negotiation→won.
const NEW_PASS = [0.75, 0.72, 0.78, 0.7] as const;
const UPSELL_PASS = [0.8, 0.75, 0.8, 0.72] as const;
const STAGE_DAYS = [4, 9, 8, 12] as const;
const STAGE_CHANNELS: readonly (readonly InteractionChannel[])[] = [
  ["phone", "email", "chat"], ["phone", "meeting", "email"], ["email", "meeting", "visit"], ["meeting", "visit", "phone"],
];
// Added to the monthly churn hazard for 90 days after a badly handled ticket.
const BAD_WEIGHT = { complaintUnanswered: 0.16, complaintLate: 0.09, otherBad: 0.04, feedbackIgnored: 0.03 } as const;
const BAD_WINDOW_MS = 90 * DAY_MS;

export interface CustomerSums {
  orderCents: number;
  opportunityCents: number;
  surveyScore: number;
  npsScore: number;
  ticketSatisfaction: number;
  interactionSeconds: number;
}

export interface SimContext {
  readonly seed: number;
  readonly slugHash: number;
  readonly cal: Calendar;
  readonly org: Org;
  readonly tables: SeedTables;
  readonly sums: CustomerSums;
  readonly lifecycle: Record<Lifecycle, number>;
  readonly productsBySegment: Readonly<Record<Segment, readonly WeightedChoice<Product>[]>>;
}

export function productChoices(): Record<Segment, WeightedChoice<Product>[]> {
  const bySegment = (s: Segment) => PRODUCTS.filter((p) => p.weights[s] > 0).map((p) => ({ value: p, weight: p.weights[s] }));
  return { enterprise: bySegment("enterprise"), smb: bySegment("smb"), consumer: bySegment("consumer") };
}

interface Owned {
  readonly at: number;
  readonly owner: MemberSim;
}
interface OrderEv extends Owned {
  readonly id: string;
  readonly amountCents: number;
  readonly product: Product;
  readonly channel: string;
}
interface InteractionEv extends Owned {
  readonly id: string;
  readonly channel: InteractionChannel;
  readonly direction: "inbound" | "outbound";
  readonly seconds: number;
  readonly outcome: string;
  readonly respondedAt: number | null;
}
interface TicketEv extends Owned {
  readonly id: string;
  readonly kind: string;
  readonly category: string;
  readonly priority: string;
  readonly channel: string;
  readonly subject: string;
  readonly firstResponseAt: number | null;
  readonly resolvedAt: number | null;
  readonly dueAt: number;
  readonly escalated: boolean;
  readonly reopened: boolean;
  readonly satisfaction: number | null;
}
interface SurveyEv extends Owned {
  readonly id: string;
  readonly kind: "csat" | "nps" | "ces";
  readonly score: number;
  readonly scale: number;
  readonly comment: string | null;
}
interface StageEv extends Owned {
  readonly id: string;
  readonly stage: string;
  readonly order: number;
}
interface OppEv extends Owned {
  readonly id: string;
  readonly name: string;
  readonly valueCents: number;
  readonly source: string;
  stage: string;
  status: "open" | "won" | "lost";
  closedAt: number | null;
  stages: StageEv[];
}
interface BadEvent {
  /** When the failure became visible to the customer. */
  readonly at: number;
  readonly weight: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** One customer: generates its rows into ctx.tables and adds to ctx.sums. */
export function simulateCustomer(ctx: SimContext, index: number): void {
  new CustomerSim(ctx, index).run();
}

class CustomerSim {
  private readonly rng: Rng;
  private readonly ids: Rng;
  private readonly cal: Calendar;
  private readonly end: number;
  private readonly id: string;
  private readonly segment: Segment;
  private readonly attitude: number;
  private readonly propensity: number;
  private readonly displayName: string;
  private readonly shortName: string;
  /** Owner changes, ascending by time; the first entry covers all earlier times. */
  private readonly owners: Owned[] = [];

  private readonly orders: OrderEv[] = [];
  private readonly interactions: InteractionEv[] = [];
  private readonly tickets: TicketEv[] = [];
  private readonly surveys: SurveyEv[] = [];
  private readonly opps: OppEv[] = [];
  private readonly bad: BadEvent[] = [];

  constructor(private readonly ctx: SimContext, private readonly index: number) {
    this.rng = new Rng(ctx.seed, "customer", index);
    // Ids also depend on the slug, so two companies from one seed can share a database.
    this.ids = new Rng(ctx.seed, ctx.slugHash, "customer-ids", index);
    this.cal = ctx.cal;
    this.end = ctx.cal.end;
    this.id = this.ids.uuid();
    const rng = this.rng;
    this.segment = rng.weighted(SEGMENTS);
    this.attitude = rng.normal(0, 1);
    this.propensity = rng.logNormal(1, 0.45);
    const owner = ctx.org.members[rng.pickCumulative(ctx.org.ownerCumulative)]!;
    this.owners.push({ at: -Infinity, owner });
    if (this.segment === "consumer") {
      this.displayName = `${rng.pick(SURNAMES)} ${rng.pick(GIVEN_NAMES)}`;
      this.shortName = this.displayName;
    } else {
      const brand = rng.pick(BRAND_WORDS);
      this.displayName = `${rng.pick(CITIES)} ${brand} ${rng.pick(COMPANY_KINDS)}`;
      this.shortName = brand;
    }
  }

  private ownerAt(t: number): MemberSim {
    let o = this.owners[0]!.owner;
    for (const e of this.owners) if (e.at <= t) o = e.owner;
    return o;
  }

  run(): void {
    const { rng, cal, end } = this;
    const existing = rng.chance(EXISTING_SHARE);
    let acquiredAt: number | null = null;
    let createdAt: number;
    let channel: string;
    let campaignId: string | null = null;
    // Before the window we only know the customer had been buying.
    let lastOrderAt: number | null = null;

    if (existing) {
      acquiredAt = toMinute(cal.start - rng.float(7, 1_100) * DAY_MS);
      createdAt = toMinute(acquiredAt - rng.float(10, 60) * DAY_MS);
      channel = rng.weighted(LEGACY_CHANNELS);
      lastOrderAt = cal.start - rng.float(1, 90) * DAY_MS;
    } else {
      const leads = this.ctx.org.leads;
      const m = rng.pickCumulative(leads.monthCumulative);
      const source = leads.sources[m]![rng.pickCumulative(leads.sourceCumulative[m]!)]!;
      const info = cal.months[m]!;
      createdAt = randomTime(cal, rng, info.start, info.end, BUSINESS_HOURS);
      channel = source.channel;
      campaignId = source.campaign?.id ?? null;
      // Lost leads are sometimes worked again a few months later.
      let t = createdAt;
      for (let attempt = 0; attempt < 3; attempt++) {
        const opp = this.opportunity(t, "new", source.quality, channel);
        if (opp.status === "won") {
          acquiredAt = opp.closedAt;
          break;
        }
        if (opp.status === "open" || !rng.chance(0.3)) break;
        t = toMinute((opp.closedAt ?? t) + rng.logNormal(75, 0.4) * DAY_MS);
        if (t >= end) break;
      }
    }

    let churnedAt: number | null = null;
    if (acquiredAt !== null) {
      this.planOwnerMove(acquiredAt);
      churnedAt = this.live(acquiredAt);
      for (const o of this.orders) if (lastOrderAt === null || o.at > lastOrderAt) lastOrderAt = o.at;
    }
    if (churnedAt !== null) this.truncateAt(churnedAt);

    const lifecycle = this.lifecycle(acquiredAt, churnedAt, lastOrderAt);
    this.ctx.lifecycle[lifecycle]++;
    this.write(createdAt, channel, campaignId, acquiredAt, churnedAt, lifecycle);
  }

  /** ~3 % of customers move to another member (mostly within the team) once. */
  private planOwnerMove(acquiredAt: number): void {
    const { rng, cal, end } = this;
    if (!rng.chance(0.03)) return;
    const from = Math.max(acquiredAt, cal.start) + 30 * DAY_MS;
    const to = end - 30 * DAY_MS;
    if (to <= from) return;
    const current = this.owners[0]!.owner;
    const pool = rng.chance(0.65) && current.team.members.length > 1 ? current.team.members : this.ctx.org.members;
    const next = rng.pick(pool.filter((m) => m !== current));
    if (next === undefined) return;
    this.owners.push({ at: toMinute(rng.float(from, to)), owner: next });
  }

  /** Month-by-month life after acquisition. Returns churnedAt or null. */
  private live(acquiredAt: number): number | null {
    const { rng, cal, end, segment } = this;
    const months = cal.months;
    const npsOffset = rng.int(0, 5);
    const acquiredInWindow = acquiredAt >= cal.start;
    for (let m = 0; m < months.length; m++) {
      const info = months[m]!;
      if (info.end <= acquiredAt) continue;
      const from = Math.max(info.start, acquiredAt);
      const to = Math.min(info.end, end);
      if (to <= from) continue;
      const frac = (to - from) / (info.end - info.start);
      const owner = this.ownerAt(from);
      const team = owner.team;
      const recentBad = this.bad.some((b) => b.at <= from && b.at > from - BAD_WINDOW_MS);
      const season = ORDER_SEASONALITY[info.calendarMonth - 1]!;

      // Orders: seasonal, slower after a bad experience, brisk in the first months.
      const fresh = acquiredInWindow && from - acquiredAt < 90 * DAY_MS ? 1.3 : 1;
      const nOrders = rng.poisson(ORDER_RATE[segment] * season * this.propensity * (recentBad ? 0.55 : 1) * fresh * frac);
      for (let k = 0; k < nOrders; k++) {
        const at = randomTime(cal, rng, from, to, segment === "consumer" ? RETAIL_HOURS : BUSINESS_HOURS);
        this.order(at, m, null);
      }

      const nTalk = rng.poisson(INTERACTION_RATE[segment] * this.ownerAt(from).communication * frac * (recentBad ? 1.3 : 1));
      for (let k = 0; k < nTalk; k++) this.interaction(randomTime(cal, rng, from, to, BUSINESS_HOURS), null);

      // Delivery trouble rises with peak-season volume.
      const nTickets = rng.poisson(TICKET_RATE[segment] * (1 + 0.6 * (season - 1)) * frac);
      for (let k = 0; k < nTickets; k++) this.ticket(randomTime(cal, rng, from, to, ANY_HOUR), season);

      if ((m + npsOffset) % 6 === 0 && rng.chance(segment === "enterprise" ? 0.45 : 0.32)) {
        this.nps(randomTime(cal, rng, from, to, BUSINESS_HOURS));
      }

      if (rng.chance(UPSELL_RATE[segment] * frac)) {
        this.opportunity(randomTime(cal, rng, from, to, BUSINESS_HOURS), "upsell", 1, "existing_customer");
      }

      // Churn is decided at month end from the base hazard plus recent failures.
      if (to < info.end) break;
      let hazard = BASE_CHURN[segment] * team.churnFactor * (this.attitude < -1 ? 1.5 : 1);
      for (const b of this.bad) if (b.at <= info.end && b.at > info.end - BAD_WINDOW_MS) hazard += b.weight;
      if (rng.chance(Math.min(hazard, 0.6))) {
        const at = toMinute(info.end + rng.float(0.5, 28) * DAY_MS);
        if (at < end) return at;
      }
    }
    return null;
  }

  private order(at: number, monthIndex: number, fixedCents: number | null): void {
    const { rng, segment } = this;
    const product = rng.weighted(this.ctx.productsBySegment[segment]);
    // Prices drift up ~0.3 %/month.
    const drift = 1 + 0.003 * monthIndex;
    const amountCents =
      fixedCents ?? Math.max(100, Math.round(product.price * rng.int(1, QUANTITY_MAX[segment]) * rng.float(0.85, 1.05) * drift * 100));
    const channel = fixedCents !== null ? "sales_rep" : rng.weighted(ORDER_CHANNELS[segment]);
    this.orders.push({ id: this.ids.uuid(), at, owner: this.ownerAt(at), amountCents, product, channel });
    if (fixedCents === null && rng.chance(0.05)) {
      const owner = this.ownerAt(at);
      const mean = 4.1 + 0.6 * owner.team.satisfactionBias + 0.3 * this.attitude;
      this.survey("csat", at + rng.float(2, 72) * HOUR_MS, clamp(Math.round(rng.normal(mean, 0.7)), 1, 5), 5);
    }
  }

  private interaction(at: number, forced: { channel: InteractionChannel; direction: "outbound" } | null): void {
    const { rng } = this;
    const owner = this.ownerAt(at);
    const team = owner.team;
    const channel = forced?.channel ?? rng.weighted(team.channelMix);
    const direction = forced?.direction ?? (rng.chance(channel === "social" ? team.outboundShare * 0.6 : team.outboundShare) ? "outbound" : "inbound");
    let outcome: string;
    let respondedAt: number | null = null;
    if (direction === "outbound") {
      outcome = channel === "phone" && rng.chance(0.22) ? "no_answer" : rng.chance(0.6) ? "connected" : "follow_up";
    } else {
      const r = rng.next();
      outcome = r < 0.25 ? "feedback" : r < 0.7 ? "resolved" : "follow_up";
      if (outcome === "feedback") {
        if (rng.chance(team.feedbackMissRate)) {
          this.bad.push({ at: at + 7 * DAY_MS, weight: BAD_WEIGHT.feedbackIgnored });
        } else {
          const t = toMinute(at + rng.logNormal(team.responseHours * 0.6 * owner.responseFactor, 0.8) * HOUR_MS) + 60_000;
          respondedAt = t < this.end ? t : null;
        }
      }
    }
    let seconds = 0;
    if (outcome !== "no_answer") {
      switch (channel) {
        case "phone": seconds = Math.round(rng.logNormal(240, 0.6)); break;
        case "chat": seconds = Math.round(rng.logNormal(420, 0.5)); break;
        case "visit": seconds = Math.round(rng.logNormal(3_600, 0.4)); break;
        case "meeting": seconds = Math.round(rng.logNormal(2_700, 0.35)); break;
        default: seconds = 0;
      }
    } else {
      seconds = rng.int(5, 30);
    }
    this.interactions.push({ id: this.ids.uuid(), at, owner, channel, direction, seconds, outcome, respondedAt });
  }

  private ticket(openedAt: number, season: number): void {
    const { rng, end } = this;
    const owner = this.ownerAt(openedAt);
    const team = owner.team;
    const r = rng.next();
    const kind = r < 0.55 ? "complaint" : r < 0.75 ? "question" : r < 0.9 ? "request" : "incident";
    const category = rng.weighted(
      TICKET_CATEGORIES.map((c) => ({ value: c, weight: c === "delivery" ? 1.2 * season : c === "service" ? 0.8 : 1 })),
    );
    const priority = rng.weighted(PRIORITIES);
    const channel = rng.weighted([
      { value: "phone", weight: 3 }, { value: "email", weight: 2 }, { value: "chat", weight: 3 },
      { value: "social", weight: 1 }, { value: "web", weight: 1.5 },
    ]);
    const subject = rng.pick(TICKET_SUBJECTS[category]);
    const sla = SLA_HOURS[priority];
    const dueAt = openedAt + sla * HOUR_MS;

    let firstResponseAt: number | null = null;
    let resolvedAt: number | null = null;
    const unanswered = rng.chance(team.noResponseRate * (priority === "low" ? 1.3 : 1));
    if (unanswered) {
      // An ignored ticket is sometimes closed much later without a recorded reply.
      if (rng.chance(0.25)) resolvedAt = toMinute(openedAt + rng.logNormal(sla * 3, 0.5) * HOUR_MS);
    } else {
      const hours = rng.logNormal(team.responseHours * RESPONSE_FACTOR[priority] * owner.responseFactor, 0.7);
      firstResponseAt = toMinute(openedAt + hours * HOUR_MS) + 60_000;
      resolvedAt = toMinute(firstResponseAt + rng.logNormal(sla * 0.55 * team.resolveFactor, 0.6) * HOUR_MS) + 60_000;
    }
    if (firstResponseAt !== null && firstResponseAt >= end) firstResponseAt = null;
    if (resolvedAt !== null && resolvedAt >= end) resolvedAt = null;

    const late = resolvedAt === null ? dueAt < end : resolvedAt > dueAt;
    const escalated = rng.chance(late ? 0.45 : priority === "urgent" ? 0.15 : 0.04);
    const reopened = resolvedAt !== null && rng.chance(0.05 * team.resolveFactor);
    let satisfaction: number | null = null;
    const slowReply = firstResponseAt === null || firstResponseAt - openedAt > 24 * HOUR_MS;
    if (resolvedAt !== null && rng.chance(0.65)) {
      const mean = 4.4 + team.satisfactionBias - (late ? 1.2 : 0) - (slowReply ? 0.5 : 0) - (reopened ? 0.8 : 0) - (escalated ? 0.3 : 0);
      satisfaction = clamp(Math.round(rng.normal(mean, 0.7)), 1, 5);
    }
    this.tickets.push({
      id: this.ids.uuid(), at: openedAt, owner, kind, category, priority, channel, subject,
      firstResponseAt, resolvedAt, dueAt, escalated, reopened, satisfaction,
    });

    if (unanswered || late) {
      const weight = kind === "complaint" ? (unanswered ? BAD_WEIGHT.complaintUnanswered : BAD_WEIGHT.complaintLate) : BAD_WEIGHT.otherBad;
      // The customer notices an ignored ticket after a few days, a late one at the deadline.
      this.bad.push({ at: unanswered ? openedAt + 3 * DAY_MS : dueAt, weight });
    }

    if (resolvedAt !== null) {
      const ease = (late ? 1 : 0) + (reopened ? 1 : 0);
      if (rng.chance(0.45)) {
        const mean = 4.35 + team.satisfactionBias - 1.1 * ease - (slowReply ? 0.4 : 0) + 0.2 * this.attitude;
        this.survey("csat", resolvedAt + rng.float(1, 48) * HOUR_MS, clamp(Math.round(rng.normal(mean, 0.7)), 1, 5), 5);
      }
      if (rng.chance(0.25)) {
        // CES: 7 = very easy to get the issue resolved.
        const mean = 5.4 + 1.2 * team.satisfactionBias - 1.5 * ease;
        this.survey("ces", resolvedAt + rng.float(1, 48) * HOUR_MS, clamp(Math.round(rng.normal(mean, 1)), 1, 7), 7);
      }
    }
  }

  private nps(at: number): void {
    const { rng } = this;
    const team = this.ownerAt(at).team;
    const burned = this.bad.some((b) => b.at <= at && b.at > at - 180 * DAY_MS);
    const mean = 8.1 + team.npsBias + 0.9 * this.attitude + (this.segment === "enterprise" ? 0.3 : 0) - (burned ? 2.5 : 0);
    this.survey("nps", at, clamp(Math.round(rng.normal(mean, 1.4)), 0, 10), 10);
  }

  private survey(kind: "csat" | "nps" | "ces", at: number, score: number, scale: number): void {
    const t = toMinute(at);
    if (t >= this.end) return;
    const { rng } = this;
    let comment: string | null = null;
    const ratio = score / scale;
    if (rng.chance(0.12)) comment = ratio >= 0.8 ? rng.pick(SURVEY_COMMENTS_GOOD) : ratio <= 0.5 ? rng.pick(SURVEY_COMMENTS_BAD) : null;
    this.surveys.push({ id: this.ids.uuid(), at: t, owner: this.ownerAt(t), kind, score, scale, comment });
  }

  /** A deal through the funnel; a won deal books its order. */
  private opportunity(createdAt: number, kind: "new" | "upsell", quality: number, source: string): OppEv {
    const { rng, end, segment, cal } = this;
    const owner = this.ownerAt(createdAt);
    const pass = kind === "new" ? NEW_PASS : UPSELL_PASS;
    const skill = owner.team.winSkill * Math.pow(quality, 0.25) * (segment === "enterprise" ? 0.96 : 1);
    const valueCents = Math.round(rng.logNormal(DEAL_VALUE[segment] * (kind === "upsell" ? 0.6 : 1), 0.5)) * 100;
    const product = rng.weighted(this.ctx.productsBySegment[segment]);
    const opp: OppEv = {
      id: this.ids.uuid(), at: createdAt, owner,
      name: `${this.shortName} – ${product.name}${kind === "upsell" ? " (expansion)" : ""}`,
      valueCents, source, stage: "lead", status: "open", closedAt: null, stages: [],
    };
    const stage = (name: string, order: number, at: number): void => {
      opp.stages.push({ id: this.ids.uuid(), at, owner: this.ownerAt(at), stage: name, order });
    };
    stage("lead", 1, createdAt);
    let t = createdAt;
    for (let k = 0; k < 4; k++) {
      const next = toMinute(t + rng.logNormal(STAGE_DAYS[k]! * CYCLE[segment], 0.45) * DAY_MS);
      // Sales talk while the deal sits in this stage.
      const talkUntil = Math.min(next, end);
      const nTalk = rng.poisson(owner.communication);
      for (let j = 0; j < nTalk && talkUntil > t; j++) {
        this.interaction(randomTime(cal, rng, t, talkUntil, BUSINESS_HOURS), { channel: rng.pick(STAGE_CHANNELS[k]!), direction: "outbound" });
      }
      if (next >= end) break;
      if (rng.chance(Math.min(0.97, pass[k]! * skill))) {
        stage(STAGES[k + 1]!, k + 2, next);
        opp.stage = STAGES[k + 1]!;
        t = next;
        if (k === 3) {
          opp.status = "won";
          opp.closedAt = next;
        }
      } else {
        stage("lost", 0, next);
        opp.stage = "lost";
        opp.status = "lost";
        opp.closedAt = next;
        break;
      }
    }
    this.opps.push(opp);
    if (opp.status === "won" && opp.closedAt !== null) {
      const at = toMinute(opp.closedAt + rng.float(0, 3) * DAY_MS);
      if (at < end) this.order(at, monthIndexAt(cal, at), valueCents);
    }
    return opp;
  }

  /** Nothing happens after churn: later events go, open deals are lost at churn. */
  private truncateAt(churnedAt: number): void {
    const keep = <T extends Owned>(list: T[]): void => {
      let w = 0;
      for (const e of list) if (e.at < churnedAt) list[w++] = e;
      list.length = w;
    };
    keep(this.orders);
    keep(this.interactions);
    keep(this.tickets);
    keep(this.surveys);
    keep(this.opps);
    for (const opp of this.opps) {
      if (opp.closedAt !== null && opp.closedAt < churnedAt) continue;
      opp.stages = opp.stages.filter((s) => s.at < churnedAt);
      opp.stages.push({ id: this.ids.uuid(), at: churnedAt, owner: this.ownerAt(churnedAt), stage: "lost", order: 0 });
      opp.stage = "lost";
      opp.status = "lost";
      opp.closedAt = churnedAt;
    }
  }

  private lifecycle(acquiredAt: number | null, churnedAt: number | null, lastOrderAt: number | null): Lifecycle {
    const end = this.end;
    if (acquiredAt === null) return "prospect";
    if (churnedAt !== null) return "churned";
    if (end - acquiredAt < 90 * DAY_MS) return "new";
    const burned = this.bad.some((b) => b.at <= end && b.at > end - 60 * DAY_MS);
    if (burned || lastOrderAt === null || end - lastOrderAt > 120 * DAY_MS) return "at_risk";
    return end - acquiredAt > 365 * DAY_MS ? "mature" : "active";
  }

  private write(
    createdAt: number, channel: string, campaignId: string | null,
    acquiredAt: number | null, churnedAt: number | null, lifecycle: Lifecycle,
  ): void {
    const { ctx, rng, segment } = this;
    const t = ctx.tables;
    const s = ctx.sums;
    const finalOwner = this.owners[this.owners.length - 1]!.owner;
    const n = this.index + 1;
    const city = rng.pick(CITIES);
    const attributes =
      segment === "consumer"
        ? { city, vip: rng.chance(0.1), age_band: rng.pick(["18-24", "25-34", "35-44", "45-54", "55+"]) }
        : { city, industry: rng.pick(INDUSTRIES), employees: segment === "enterprise" ? rng.int(200, 5_000) : rng.int(5, 199) };
    const phone = `+86 1${rng.int(30, 99)} ${String(rng.int(0, 9_999)).padStart(4, "0")} ${String(rng.int(0, 9_999)).padStart(4, "0")}`;
    t.customers.add([
      this.id, `C${String(n).padStart(7, "0")}`, this.displayName, `customer${n}@example.cn`, phone,
      finalOwner.id, finalOwner.team.id, segment, lifecycle, channel, campaignId,
      acquiredAt === null ? null : iso(acquiredAt), churnedAt === null ? null : iso(churnedAt),
      JSON.stringify(attributes), null, iso(createdAt),
    ]);

    for (const o of this.opps) {
      s.opportunityCents += o.valueCents;
      t.opportunities.add([
        o.id, this.id, o.owner.team.id, o.owner.id, o.name, cents(o.valueCents), o.source, o.stage, o.status,
        iso(o.at), o.closedAt === null ? null : iso(o.closedAt),
      ]);
      for (const st of o.stages) {
        t.opportunity_stages.add([st.id, o.id, this.id, st.owner.team.id, st.owner.id, st.stage, String(st.order), iso(st.at)]);
      }
    }
    for (const o of this.orders) {
      s.orderCents += o.amountCents;
      t.orders.add([o.id, this.id, o.owner.team.id, o.owner.id, cents(o.amountCents), o.product.name, o.product.category, o.channel, iso(o.at)]);
    }
    for (const i of this.interactions) {
      s.interactionSeconds += i.seconds;
      t.interactions.add([
        i.id, this.id, i.owner.team.id, i.owner.id, i.channel, i.direction, String(i.seconds), i.outcome,
        i.respondedAt === null ? null : iso(i.respondedAt), iso(i.at),
      ]);
    }
    for (const k of this.tickets) {
      if (k.satisfaction !== null) s.ticketSatisfaction += k.satisfaction;
      t.tickets.add([
        k.id, this.id, k.owner.team.id, k.owner.id, k.kind, k.category, k.priority, k.channel, k.subject, iso(k.at),
        k.firstResponseAt === null ? null : iso(k.firstResponseAt), k.resolvedAt === null ? null : iso(k.resolvedAt),
        iso(k.dueAt), k.escalated ? "true" : "false", k.reopened ? "true" : "false",
        k.satisfaction === null ? null : String(k.satisfaction),
      ]);
    }
    for (const v of this.surveys) {
      s.surveyScore += v.score;
      if (v.kind === "nps") s.npsScore += v.score;
      t.survey_responses.add([
        v.id, this.id, v.owner.team.id, v.owner.id, v.kind, SURVEY_QUESTIONS[v.kind], String(v.score), String(v.scale),
        v.comment, iso(v.at),
      ]);
    }
  }
}

function monthIndexAt(cal: Calendar, at: number): number {
  let m = 0;
  while (m < cal.months.length - 1 && cal.months[m]!.end <= at) m++;
  return m;
}
