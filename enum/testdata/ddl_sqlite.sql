-- CreateSQL
CREATE TABLE "employee" (
	"id" INTEGER PRIMARY KEY,
	"name" TEXT NOT NULL,
	"type" TEXT NOT NULL CONSTRAINT "employee_type_check" CHECK ("type" IN ('P', 'F', 'C'))
);
CREATE TABLE "worker" (
	"id" INTEGER PRIMARY KEY,
	"name" TEXT NOT NULL,
	"type" TEXT NOT NULL CONSTRAINT "worker_type_check" CHECK ("type" IN ('P', 'F', 'C')),
	"priority" INTEGER NOT NULL CONSTRAINT "worker_priority_check" CHECK ("priority" IN (1, 2, 3)),
	"backup" TEXT CONSTRAINT "worker_backup_check" CHECK ("backup" IN ('P', 'F', 'C'))
);
CREATE TABLE "contract" (
	"id" INTEGER PRIMARY KEY,
	"kind" TEXT NOT NULL CONSTRAINT "contract_kind_check" CHECK ("kind" IN ('P', 'F', 'C'))
);
CREATE TABLE "diary" (
	"id" INTEGER PRIMARY KEY,
	"mood" TEXT NOT NULL CONSTRAINT "diary_mood_check" CHECK ("mood" IN ('it''s fine', '$enum$', '$enum_$'))
);

-- DropSQL
PRAGMA defer_foreign_keys = ON;
DROP TABLE IF EXISTS "diary";
DROP TABLE IF EXISTS "contract";
DROP TABLE IF EXISTS "worker";
DROP TABLE IF EXISTS "employee";
