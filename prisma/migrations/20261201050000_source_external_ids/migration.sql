-- Opportunities, their stage history, campaigns and campaign costs are imported
-- and synced by external id, like the other facts (unique per company when present).

-- AlterTable
ALTER TABLE "opportunities" ADD COLUMN     "external_id" TEXT;

-- AlterTable
ALTER TABLE "opportunity_stages" ADD COLUMN     "external_id" TEXT;

-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "external_id" TEXT;

-- AlterTable
ALTER TABLE "campaign_costs" ADD COLUMN     "external_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "opportunities_company_id_external_id_key" ON "opportunities"("company_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "opportunity_stages_company_id_external_id_key" ON "opportunity_stages"("company_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaigns_company_id_external_id_key" ON "campaigns"("company_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_costs_company_id_external_id_key" ON "campaign_costs"("company_id", "external_id");
