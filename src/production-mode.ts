// Imported first by main.ts, before graphql is loaded: graphql-js checks every
// instanceof across "realms" unless NODE_ENV is production, ~4 % of a dashboard
// request's CPU in a profile. An explicit NODE_ENV (development, test) wins.
//
// Production *mode* (no GraphiQL key pre-fill, src/main.ts) is what the operator
// said, not this performance default: NODE_ENV=production set before start.
export const productionByOperator = process.env.NODE_ENV === "production";
process.env.NODE_ENV ??= "production";
