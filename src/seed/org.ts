// The company's organisation and marketing: teams with distinct service
// profiles, members, campaigns with monthly spend, sales cost per team and the
// managers' monthly ratings of members. The customer simulation reads these
// profiles; the differences between teams are what the KPIs should find.
import type { Calendar } from "./calendar.js";
import { DAY_MS, iso } from "./calendar.js";
import { cents } from "../db/bulk.js";
import {
  CAMPAIGN_CHANNELS, CITIES, GIVEN_NAMES, INTERACTION_CHANNELS, LEAD_SEASONALITY, ORGANIC_CHANNELS, SURNAMES,
  type CampaignChannel, type InteractionChannel,
} from "./catalog.js";
import { Rng, type WeightedChoice } from "./random.js";
import type { SizeSpec } from "./sizes.js";
import type { SeedTables } from "../db/tables.js";

export interface TeamSim {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  /** 0 (struggling) … 1 (excellent): drives every service trait below. */
  readonly quality: number;
  /** Median hours to a first response on a normal-priority ticket. */
  readonly responseHours: number;
  /** Multiplier on resolution time (below 1 = faster). */
  readonly resolveFactor: number;
  /** Share of tickets never answered. */
  readonly noResponseRate: number;
  /** Share of inbound feedback never answered. */
  readonly feedbackMissRate: number;
  /** Points added to CSAT/satisfaction means (scale 5). */
  readonly satisfactionBias: number;
  /** Points added to the NPS mean (scale 10). */
  readonly npsBias: number;
  /** Multiplier on interaction frequency. */
  readonly communication: number;
  /** Share of interactions the team starts. */
  readonly outboundShare: number;
  readonly channelMix: readonly WeightedChoice<InteractionChannel>[];
  /** Multiplier on funnel stage pass rates. */
  readonly winSkill: number;
  /** Multiplier on the base churn hazard. */
  readonly churnFactor: number;
  members: MemberSim[];
}

export interface MemberSim {
  readonly index: number;
  readonly id: string;
  readonly team: TeamSim;
  readonly name: string;
  readonly role: "manager" | "sales" | "account_manager";
  readonly quality: number;
  readonly communication: number;
  /** Multiplier on this member's response delays. */
  readonly responseFactor: number;
  /** Relative share of customers this member owns. */
  readonly ownerWeight: number;
}

export interface CampaignSim {
  readonly id: string;
  readonly name: string;
  readonly channel: CampaignChannel;
  readonly firstMonth: number;
  /** Last month, inclusive. */
  readonly lastMonth: number;
  /** Relative budget per month (scaled to CNY by the lead model). */
  readonly budget: number;
}

/** A lead source active in a month, weighted by the leads it is expected to bring. */
export interface LeadSource {
  readonly channel: string;
  readonly campaign: CampaignSim | null;
  readonly quality: number;
}

export interface LeadModel {
  /** Cumulative expected leads per month (for picking a month). */
  readonly monthCumulative: readonly number[];
  /** Per month: the sources and their cumulative weights. */
  readonly sources: readonly (readonly LeadSource[])[];
  readonly sourceCumulative: readonly (readonly number[])[];
  /** CNY per relative budget unit per month. */
  readonly cnyPerBudgetUnit: number;
}

export interface Org {
  readonly teams: readonly TeamSim[];
  readonly members: readonly MemberSim[];
  /** Cumulative owner weights over `members`. */
  readonly ownerCumulative: readonly number[];
  readonly campaigns: readonly CampaignSim[];
  readonly leads: LeadModel;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;
const lerpLog = (a: number, b: number, t: number): number => a * Math.pow(b / a, t);

export function teamName(index: number): string {
  const city = CITIES[index % CITIES.length]!;
  const round = Math.floor(index / CITIES.length);
  return round === 0 ? `${city} Team` : `${city} Team ${round + 1}`;
}

export function buildTeams(size: SizeSpec, rng: Rng, ids: Rng): TeamSim[] {
  // Spread qualities evenly, then shuffle: every size has a best and a worst team.
  const qualities = Array.from({ length: size.teams }, (_, i) => (size.teams === 1 ? 0.5 : (i + 0.5) / size.teams));
  for (let i = qualities.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [qualities[i], qualities[j]] = [qualities[j]!, qualities[i]!];
  }
  const teams: TeamSim[] = [];
  for (let t = 0; t < size.teams; t++) {
    const q = clamp(qualities[t]! + rng.normal(0, 0.04), 0.02, 0.98);
    // Communication and win skill are partly independent of service quality,
    // so a chatty team can still answer complaints slowly.
    const talk = clamp(0.5 * q + 0.5 * rng.next(), 0, 1);
    const sell = clamp(0.6 * q + 0.4 * rng.next(), 0, 1);
    const mood = clamp(0.75 * q + 0.25 * rng.next(), 0, 1);
    const base: Record<InteractionChannel, number> = { phone: 3, email: 2.5, chat: 3, visit: 0.8, meeting: 0.9, social: 1.2 };
    const channelMix = INTERACTION_CHANNELS.map((ch) => ({ value: ch, weight: base[ch] * rng.logNormal(1, 0.35) }));
    teams.push({
      index: t,
      id: ids.uuid(),
      name: teamName(t),
      quality: q,
      responseHours: lerpLog(16, 0.8, q),
      resolveFactor: lerp(1.7, 0.55, q),
      noResponseRate: lerp(0.16, 0.01, q),
      feedbackMissRate: lerp(0.3, 0.03, q),
      satisfactionBias: lerp(-0.5, 0.45, mood),
      npsBias: lerp(-1.8, 1.5, mood),
      communication: lerp(0.6, 1.5, talk),
      outboundShare: lerp(0.45, 0.72, talk),
      channelMix,
      winSkill: lerp(0.88, 1.12, sell),
      churnFactor: lerp(1.3, 0.75, q),
      members: [],
    });
  }
  return teams;
}

export function buildMembers(size: SizeSpec, teams: TeamSim[], rng: Rng, ids: Rng): MemberSim[] {
  const members: MemberSim[] = [];
  for (const team of teams) {
    for (let k = 0; k < size.membersPerTeam; k++) {
      const role = k === 0 ? "manager" : k % 2 === 1 ? "sales" : "account_manager";
      const member: MemberSim = {
        index: members.length,
        id: ids.uuid(),
        team,
        name: `${rng.pick(SURNAMES)} ${rng.pick(GIVEN_NAMES)}`,
        role,
        quality: clamp(team.quality + rng.normal(0, 0.1), 0, 1),
        communication: team.communication * rng.logNormal(1, 0.15),
        responseFactor: rng.logNormal(1, 0.2),
        // Managers keep a few key accounts; the rest is spread over the team.
        ownerWeight: role === "manager" ? 0.35 : rng.logNormal(1, 0.2),
      };
      team.members.push(member);
      members.push(member);
    }
  }
  return members;
}

export function buildCampaigns(cal: Calendar, rng: Rng, ids: Rng): CampaignSim[] {
  const campaigns: CampaignSim[] = [];
  const months = cal.months.length;
  for (let m = 0; m < months; m++) {
    const info = cal.months[m]!;
    for (const channel of CAMPAIGN_CHANNELS) {
      // Year-end push: more campaigns start in Q4.
      const q4 = info.calendarMonth >= 10 ? 1.4 : 1;
      if (!rng.chance(Math.min(0.95, channel.startChance * q4))) continue;
      const lastMonth = Math.min(months - 1, m + rng.int(0, 2));
      campaigns.push({
        id: ids.uuid(),
        name: `${channel.label} ${info.year}-${String(info.calendarMonth).padStart(2, "0")}`,
        channel,
        firstMonth: m,
        lastMonth,
        // Marketing grows with the business, ~2.5 %/month.
        budget: channel.budget * (1 + 0.025 * m) * rng.logNormal(1, 0.35),
      });
    }
    if (info.calendarMonth === 11) {
      // Double 11: one big online promotion every November.
      const ads = CAMPAIGN_CHANNELS.find((ch) => ch.channel === "online_ads")!;
      campaigns.push({
        id: ids.uuid(),
        name: `Double 11 Promotion ${info.year}`,
        channel: ads,
        firstMonth: m,
        lastMonth: m,
        budget: 3 * ads.budget * (1 + 0.025 * m) * rng.logNormal(1, 0.15),
      });
    }
  }
  return campaigns;
}

/**
 * Where and when leads arrive. Campaigns bring ~60 % of leads in proportion to
 * spend × channel efficiency; organic sources grow ~2.5 %/month with seasonality.
 * Spend is then scaled so that the expected lead count matches the size, which
 * keeps CAC in a realistic range at every size.
 */
export function buildLeadModel(cal: Calendar, campaigns: readonly CampaignSim[], expectedLeads: number): LeadModel {
  const months = cal.months.length;
  const campaignShare = 0.6;
  let rawCampaign = 0;
  for (const c of campaigns) rawCampaign += c.budget * c.channel.leadsPer10k * (c.lastMonth - c.firstMonth + 1);
  const organicShape = cal.months.map((info, m) => (1 + 0.025 * m) * LEAD_SEASONALITY[info.calendarMonth - 1]!);
  const organicTotal = organicShape.reduce((a, b) => a + b, 0);
  // Leads per (budget unit × leadsPer10k): solves Σ budget·eff·k = share·leads.
  const k = rawCampaign > 0 ? (campaignShare * expectedLeads) / rawCampaign : 0;
  const organicLeads = (rawCampaign > 0 ? 1 - campaignShare : 1) * expectedLeads;

  const sources: LeadSource[][] = [];
  const sourceCumulative: number[][] = [];
  const monthCumulative: number[] = [];
  let running = 0;
  for (let m = 0; m < months; m++) {
    const list: LeadSource[] = [];
    const cum: number[] = [];
    let acc = 0;
    for (const c of campaigns) {
      if (m < c.firstMonth || m > c.lastMonth) continue;
      acc += c.budget * c.channel.leadsPer10k * k;
      list.push({ channel: c.channel.channel, campaign: c, quality: c.channel.quality });
      cum.push(acc);
    }
    const organic = (organicLeads * organicShape[m]!) / organicTotal;
    for (const o of ORGANIC_CHANNELS) {
      acc += organic * o.weight;
      list.push({ channel: o.channel, campaign: null, quality: o.quality });
      cum.push(acc);
    }
    sources.push(list);
    sourceCumulative.push(cum);
    running += acc;
    monthCumulative.push(running);
  }
  return { monthCumulative, sources, sourceCumulative, cnyPerBudgetUnit: k * 10_000 };
}

export function buildOrg(size: SizeSpec, cal: Calendar, seed: number, slugHash: number, existingShare: number): Org {
  const rng = new Rng(seed, "org");
  const ids = new Rng(seed, slugHash, "org-ids");
  const teams = buildTeams(size, rng.fork("teams"), ids);
  const members = buildMembers(size, teams, rng.fork("members"), ids);
  const campaigns = buildCampaigns(cal, rng.fork("campaigns"), ids);
  const leads = buildLeadModel(cal, campaigns, size.customers * (1 - existingShare));
  const ownerCumulative: number[] = [];
  let acc = 0;
  for (const m of members) {
    acc += m.ownerWeight;
    ownerCumulative.push(acc);
  }
  return { teams, members, ownerCumulative, campaigns, leads };
}

export interface OrgSums {
  marketingCents: number;
  salesCents: number;
  ratingScore: number;
}

/** Writes teams, members, campaigns, costs and ratings into the buffers. */
export function writeOrg(org: Org, cal: Calendar, tables: SeedTables, seed: number, slugHash: number): OrgSums {
  const rng = new Rng(seed, "org-rows");
  const ids = new Rng(seed, slugHash, "org-row-ids");
  const founded = iso(cal.start - 3 * 365 * DAY_MS);
  const sums: OrgSums = { marketingCents: 0, salesCents: 0, ratingScore: 0 };

  for (const t of org.teams) tables.teams.add([t.id, t.name, founded]);
  for (const m of org.members) {
    const [surname, given] = m.name.split(" ");
    const email = `${(given ?? "").toLowerCase()}.${(surname ?? "").toLowerCase()}.${m.index + 1}@yardstick-demo.example`;
    tables.members.add([m.id, m.team.id, m.name, email, m.role, "true", founded]);
  }

  for (const c of org.campaigns) {
    const ends = cal.months[c.lastMonth]!.end;
    tables.campaigns.add([c.id, c.name, c.channel.channel, iso(cal.months[c.firstMonth]!.start), iso(ends)]);
    for (let m = c.firstMonth; m <= c.lastMonth; m++) {
      const amount = Math.round(c.budget * org.leads.cnyPerBudgetUnit * rng.float(0.92, 1.08) * 100);
      sums.marketingCents += amount;
      tables.campaign_costs.add([ids.uuid(), c.id, null, null, "marketing", cents(amount), iso(cal.months[m]!.start)]);
    }
  }

  // Sales cost: the team's monthly payroll and expenses, booked on the 1st.
  for (const info of cal.months) {
    for (const t of org.teams) {
      let amount = 0;
      for (const m of t.members) amount += (m.role === "manager" ? 28_000 : 16_000) * rng.logNormal(1, 0.08);
      const amountCents = Math.round(amount * 100);
      sums.salesCents += amountCents;
      tables.campaign_costs.add([ids.uuid(), null, t.id, null, "sales", cents(amountCents), iso(info.start)]);
    }
  }

  // Managers rate each member monthly; communication follows the member's own
  // habits, professionalism the team's standards.
  for (const info of cal.months) {
    for (const m of org.members) {
      const manager = m.team.members[0]!;
      const ratedBy = m.role === "manager" ? "Regional Director" : manager.name;
      const items: [string, number][] = [
        ["communication_quality", 2.6 + 1.6 * clamp((m.communication - 0.6) / 0.9, 0, 1)],
        ["professionalism", 2.7 + 1.9 * m.quality],
      ];
      for (const [item, mean] of items) {
        // Half-point steps, like a manager's form.
        const score = clamp(Math.round(rng.normal(mean, 0.45) * 2) / 2, 1, 5);
        sums.ratingScore += score;
        tables.ratings.add([
          ids.uuid(), "member", m.team.id, m.id, item, String(score), "5",
          iso(info.start), iso(info.end), ratedBy, null, iso(Math.min(info.end + 2 * DAY_MS, cal.end)),
        ]);
      }
    }
  }
  return sums;
}
