-- AlterTable
ALTER TABLE "companies" ADD COLUMN     "data_version" INTEGER NOT NULL DEFAULT 0;

