import { CurrencyResolver, DateTimeResolver, EmailAddressResolver, JSONResolver } from "graphql-scalars";
import { GraphQLError } from "graphql";
import { builder } from "./builder.js";

builder.addScalarType("DateTime", DateTimeResolver);
/** Deeper JSON is refused before anything walks it (a recursive validator would overflow the stack). */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON value, counted without recursion, stopping at `limit` + 1. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, d + 1]);
  }
  return max;
}

builder.addScalarType("JSON", JSONResolver, {
  parseValue: (value) => {
    if (jsonDepth(value) > MAX_JSON_DEPTH) throw new GraphQLError(`JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
    return JSONResolver.parseValue(value);
  },
});
builder.addScalarType("EmailAddress", EmailAddressResolver);
builder.addScalarType("Currency", CurrencyResolver);

// Money is exact: decimals travel as strings ("1234.50"), never as binary floats.
builder.scalarType("Decimal", {
  description: "An exact decimal number, serialised as a string such as \"1234.50\".",
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    throw new GraphQLError("Decimal: expected a decimal number such as \"12.50\"");
  },
});

export interface MoneyShape {
  amount: string;
  currency: string;
}

export const Money = builder.objectRef<MoneyShape>("Money").implement({
  description: "An amount in a currency.",
  fields: (t) => ({
    amount: t.expose("amount", { type: "Decimal" }),
    currency: t.expose("currency", { type: "Currency" }),
  }),
});
