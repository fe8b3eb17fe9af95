// The facts a customer accumulates: orders, interactions, opportunities and
// their stage history, tickets, survey answers, and the campaigns that won them.
import { builder } from "./builder.js";
import { Money } from "./scalars.js";

function money(amount: { toString(): string }, currency: string) {
  return { amount: amount.toString(), currency };
}

builder.prismaObject("Order", {
  fields: (t) => ({
    id: t.exposeID("id"),
    externalId: t.exposeString("externalId", { nullable: true }),
    amount: t.field({ type: Money, resolve: (o) => money(o.amount, o.currency) }),
    product: t.exposeString("product"),
    category: t.exposeString("category"),
    channel: t.exposeString("channel"),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

builder.prismaObject("Interaction", {
  fields: (t) => ({
    id: t.exposeID("id"),
    channel: t.exposeString("channel"),
    direction: t.exposeString("direction"),
    durationSeconds: t.exposeInt("durationSeconds"),
    outcome: t.exposeString("outcome", { nullable: true }),
    at: t.expose("at", { type: "DateTime" }),
    respondedAt: t.expose("respondedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.prismaObject("Ticket", {
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.exposeString("kind"),
    category: t.exposeString("category"),
    priority: t.exposeString("priority"),
    channel: t.exposeString("channel"),
    subject: t.exposeString("subject", { nullable: true, authScopes: { manager: true } }),
    openedAt: t.expose("openedAt", { type: "DateTime" }),
    firstResponseAt: t.expose("firstResponseAt", { type: "DateTime", nullable: true }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
    dueAt: t.expose("dueAt", { type: "DateTime", nullable: true }),
    escalated: t.exposeBoolean("escalated"),
    reopened: t.exposeBoolean("reopened"),
    satisfaction: t.exposeInt("satisfaction", { nullable: true }),
  }),
});

builder.prismaObject("SurveyResponse", {
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.exposeString("kind"),
    question: t.exposeString("question", { nullable: true }),
    score: t.exposeFloat("score"),
    scale: t.exposeInt("scale"),
    comment: t.exposeString("comment", { nullable: true, authScopes: { manager: true } }),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

builder.prismaObject("Opportunity", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    value: t.field({ type: "Decimal", resolve: (o) => o.value.toString() }),
    sourceChannel: t.exposeString("sourceChannel", { nullable: true }),
    stage: t.exposeString("stage"),
    status: t.exposeString("status"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    closedAt: t.expose("closedAt", { type: "DateTime", nullable: true }),
    stages: t.relation("stages", { query: { orderBy: { enteredAt: "asc" } } }),
  }),
});

builder.prismaObject("OpportunityStage", {
  fields: (t) => ({
    stage: t.exposeString("stage"),
    stageOrder: t.exposeInt("stageOrder"),
    enteredAt: t.expose("enteredAt", { type: "DateTime" }),
  }),
});

builder.prismaObject("Campaign", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    channel: t.exposeString("channel"),
    startsAt: t.expose("startsAt", { type: "DateTime" }),
    endsAt: t.expose("endsAt", { type: "DateTime", nullable: true }),
  }),
});
