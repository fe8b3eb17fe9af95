import { CurrencyResolver, DateTimeResolver, EmailAddressResolver, JSONResolver } from "graphql-scalars";
import { GraphQLError } from "graphql";
import { builder } from "./builder.js";

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSON", JSONResolver);
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
