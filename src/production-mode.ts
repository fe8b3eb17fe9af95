// Imported first by main.ts, before graphql is loaded: graphql-js checks every
// instanceof across "realms" unless NODE_ENV is production, ~4 % of a dashboard
// request's CPU in a profile. An explicit NODE_ENV (development, test) wins.
process.env.NODE_ENV ??= "production";
