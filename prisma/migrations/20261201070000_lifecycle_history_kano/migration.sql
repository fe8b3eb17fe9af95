-- Lifecycle-stage history: one row each time a customer enters a stage, so the
-- lifecycle mix of a past period uses the stage each customer had at its end.
-- A trigger on customers keeps it, whoever writes: imports, JSON sync, the
-- seed, mutations. A new customer's history is reconstructed from its dates
-- (prospect at creation, new at acquisition, active 90 days later, mature a
-- year after acquisition, churned at churn); a later change of stage is
-- recorded when it is written (at churned_at for a churn).
-- Kano surveys: a survey answer of kind "kano" holds a requirement's paired
-- questions — score = the functional answer, dysfunctional_score = the
-- dysfunctional one (1 like … 5 dislike).

-- AlterTable
ALTER TABLE "survey_responses" ADD COLUMN "dysfunctional_score" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "customer_lifecycle_stages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "company_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "stage" TEXT NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_lifecycle_stages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_lifecycle_stages_customer_id_entered_at_idx" ON "customer_lifecycle_stages"("customer_id", "entered_at");

-- CreateIndex
CREATE INDEX "customer_lifecycle_stages_company_id_idx" ON "customer_lifecycle_stages"("company_id");

-- AddForeignKey
ALTER TABLE "customer_lifecycle_stages" ADD CONSTRAINT "customer_lifecycle_stages_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_lifecycle_stages" ADD CONSTRAINT "customer_lifecycle_stages_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The stages a customer passed through, reconstructed from its dates and current stage.
CREATE FUNCTION ys_reconstruct_lifecycle(co UUID, cu UUID, current_stage TEXT, created TIMESTAMPTZ, acquired TIMESTAMPTZ, churned TIMESTAMPTZ)
RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO customer_lifecycle_stages (company_id, customer_id, stage, entered_at)
  SELECT co, cu, v.stage, v.at FROM (VALUES
    ('prospect', created, acquired IS NULL OR created < acquired),
    ('new', acquired, acquired IS NOT NULL),
    ('active', acquired + interval '90 days', current_stage IN ('active', 'mature', 'at_risk')),
    ('mature', acquired + interval '365 days', current_stage = 'mature'),
    ('at_risk', statement_timestamp(), current_stage = 'at_risk'),
    ('churned', churned, churned IS NOT NULL),
    (current_stage, coalesce(churned, statement_timestamp()), current_stage NOT IN ('prospect', 'new', 'active', 'mature', 'at_risk', 'churned'))
  ) AS v(stage, at, applies)
  WHERE v.applies AND v.at IS NOT NULL AND (churned IS NULL OR v.at <= churned OR v.stage = 'churned')
$$;

CREATE FUNCTION ys_record_lifecycle_stage() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ys_reconstruct_lifecycle(NEW.company_id, NEW.id, NEW.lifecycle_stage, NEW.created_at, NEW.acquired_at, NEW.churned_at);
  ELSIF NEW.lifecycle_stage IS DISTINCT FROM OLD.lifecycle_stage THEN
    INSERT INTO customer_lifecycle_stages (company_id, customer_id, stage, entered_at)
    VALUES (NEW.company_id, NEW.id, NEW.lifecycle_stage,
            CASE WHEN NEW.lifecycle_stage = 'churned' AND NEW.churned_at IS NOT NULL THEN NEW.churned_at ELSE statement_timestamp() END);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER customers_lifecycle_history AFTER INSERT OR UPDATE OF lifecycle_stage ON "customers"
FOR EACH ROW EXECUTE FUNCTION ys_record_lifecycle_stage();

-- Existing customers.
SELECT ys_reconstruct_lifecycle(company_id, id, lifecycle_stage, created_at, acquired_at, churned_at) FROM customers;
