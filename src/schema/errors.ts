// Expected errors become GraphQL errors with a code and the field at fault;
// anything else is masked by Yoga and logged.
import { createGraphQLError } from "graphql-yoga";
import { FrameworkNotFound, FrameworkRejected, FrameworkStateError } from "../frameworks/framework-store.js";
import { TargetRejected } from "../targets/store.js";
import { MetricError } from "../metrics/engine.js";
import { FormulaError } from "../metrics/formula.js";
import { PeriodError } from "../metrics/period.js";
import { PluginInUse, PluginNotFound, PluginRejected } from "../metrics/plugin-store.js";

export function userError(code: string, field: string, message: string, extra: Record<string, unknown> = {}) {
  return createGraphQLError(message, { extensions: { code, field, ...extra } });
}

export async function withUserErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MetricError) throw userError(err.code, err.field, err.message);
    if (err instanceof PeriodError) throw userError("BAD_PERIOD", err.field, err.message);
    if (err instanceof PluginRejected) throw userError("INVALID_PLUGIN", err.issues[0]?.path ?? "document", err.message, { issues: err.issues });
    if (err instanceof FrameworkRejected) throw userError("INVALID_FRAMEWORK", err.issues[0]?.path ?? "document", err.message, { issues: err.issues });
    if (err instanceof PluginNotFound || err instanceof FrameworkNotFound) throw userError("NOT_FOUND", "key", err.message);
    if (err instanceof FrameworkStateError) throw userError(err.code, err.field, err.message);
    if (err instanceof TargetRejected) throw userError("BAD_USER_INPUT", err.field, err.message);
    if (err instanceof PluginInUse) throw userError("PLUGIN_IN_USE", "key", err.message, { frameworks: err.frameworks });
    throw err;
  }
}

/**
 * A value's own failure (a formula limit or error carried by an outcome) as the GraphQL error of
 * the field that reads it: thrown by that field's resolver, it lands on that value's path only.
 */
export function valueError(err: Error): Error {
  if (err instanceof MetricError) return userError(err.code, err.field, err.message);
  if (err instanceof FormulaError) return userError(err.code, "formula", err.message);
  return err;
}

/** A field's value, or its failure thrown where the field is. */
export function orFail<T>(value: T, error: Error | undefined): T {
  if (error) throw valueError(error);
  return value;
}

/**
 * Each item of a list with nullable items: its value, or the Error it failed with. graphql-js
 * reports an Error item at that item's path (e.g. company.metrics.1) and resolves the others.
 */
export async function settleItems<T>(work: Promise<T>[]): Promise<(T | Error)[]> {
  const settled = await Promise.allSettled(work);
  return settled.map((s) => (s.status === "fulfilled" ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
}
