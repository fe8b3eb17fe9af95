-- CreateTable
CREATE TABLE "embed_tokens" (
    "id" UUID NOT NULL,
    "company_id" UUID NOT NULL,
    "framework_key" TEXT NOT NULL,
    "subject_ids" UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "embed_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "embed_tokens_company_id_idx" ON "embed_tokens"("company_id");

-- AddForeignKey
ALTER TABLE "embed_tokens" ADD CONSTRAINT "embed_tokens_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

