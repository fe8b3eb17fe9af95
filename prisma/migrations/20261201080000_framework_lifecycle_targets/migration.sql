-- Issue 17: effective-dated, pinned framework versions; drafts; soft deletion; targets per subject and period.

-- Framework versions: DRAFT (editable, visible to admins and managers only) or PUBLISHED
-- (immutable, in force from effective_from, scoring with the plugin versions in plugin_pins).
ALTER TABLE "frameworks" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'PUBLISHED';
ALTER TABLE "frameworks" ADD COLUMN "effective_from" TIMESTAMPTZ(3);
ALTER TABLE "frameworks" ADD COLUMN "published_at" TIMESTAMPTZ(3);
ALTER TABLE "frameworks" ADD COLUMN "plugin_pins" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "frameworks" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- Existing versions were live the moment they were stored, so they become PUBLISHED:
-- the first version of each framework from the epoch (every period it could score before
-- stays scoreable), every later one from its creation (what was in force at the time).
UPDATE "frameworks" f SET
  "published_at" = f."created_at",
  "effective_from" = CASE
    WHEN f."version" = (SELECT min(g."version") FROM "frameworks" g WHERE g."company_id" = f."company_id" AND g."key" = f."key")
    THEN TIMESTAMPTZ '1970-01-01 00:00:00+00'
    ELSE f."created_at" END;

-- ... and pin the company plugin versions they score with today (the latest of each), so a
-- plugin update from now on never changes their scorecards. Built-in KPIs ship with the code.
UPDATE "frameworks" f SET "plugin_pins" = COALESCE((
  SELECT jsonb_object_agg(p."key", p."version")
  FROM (
    SELECT mp."key", max(mp."version") AS "version"
    FROM "metric_plugins" mp
    WHERE mp."company_id" = f."company_id"
      AND mp."key" IN (SELECT i->>'kpi' FROM jsonb_array_elements(f."document"->'items') i WHERE i ? 'kpi')
    GROUP BY mp."key"
  ) p
), '{}'::jsonb);

-- New versions start as drafts.
ALTER TABLE "frameworks" ALTER COLUMN "status" SET DEFAULT 'DRAFT';
CREATE INDEX "frameworks_company_id_key_status_idx" ON "frameworks"("company_id", "key", "status");

-- A target for one KPI, one subject (null = the company) and one period.
CREATE TABLE "targets" (
    "id" UUID NOT NULL,
    "company_id" UUID NOT NULL,
    "kpi" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID,
    "grain" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "targets_pkey" PRIMARY KEY ("id")
);
-- subject_id is NULL for the company level; COALESCE makes one company target per KPI and period.
CREATE UNIQUE INDEX "targets_subject_period_key" ON "targets"("company_id", "kpi", "subject_type", COALESCE("subject_id", '00000000-0000-0000-0000-000000000000'::uuid), "period_start", "period_end");
CREATE INDEX "targets_company_id_period_start_idx" ON "targets"("company_id", "period_start");
ALTER TABLE "targets" ADD CONSTRAINT "targets_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;
