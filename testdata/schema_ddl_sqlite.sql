CREATE TABLE "ledger"."account" (
	"id" INTEGER PRIMARY KEY,
	"name" TEXT NOT NULL
);
CREATE TABLE "ledger"."entry" (
	"id" INTEGER PRIMARY KEY,
	"account_id" INTEGER NOT NULL,
	"cents" INTEGER NOT NULL,
	CONSTRAINT "entry_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account" ("id")
);
CREATE INDEX "ledger"."ix_account_name" ON "account" ("name");
PRAGMA defer_foreign_keys = ON;
DROP TABLE IF EXISTS "ledger"."entry";
DROP TABLE IF EXISTS "ledger"."account";
