// Imports every area module (each registers its types on the builder) and
// builds the schema once.
import { builder } from "./builder.js";
import "./scalars.js";
import "./company.js";
import "./team.js";
import "./customer.js";
import "./facts.js";
import "./api-key.js";
import "./metric.js";
import "./plugin.js";
import "./scorecard.js";
import "./targets.js";
import "./embed.js";
import "./company-settings.js";
import "./import.js";
import "./org-chart.js";
import "./rating.js";
import "./sync.js";
import "./sdl.js";

export const schema = builder.toSchema({ sortSchema: true });
