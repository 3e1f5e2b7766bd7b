-- CreateSQL
CREATE TABLE "users" (
	"id" INTEGER PRIMARY KEY,
	"name" VARCHAR(20) NOT NULL,
	"email" TEXT,
	"age" INTEGER NOT NULL,
	"score" REAL NOT NULL,
	"active" BOOLEAN NOT NULL,
	"avatar" BLOB NOT NULL,
	"joined" TIMESTAMP NOT NULL,
	"balance" NUMERIC(12,2) NOT NULL,
	"nick" TEXT DEFAULT NULL,
	"level" INTEGER NOT NULL DEFAULT 1,
	UNIQUE ("email")
);
CREATE TABLE "employee" (
	"id" INTEGER PRIMARY KEY,
	"name" TEXT NOT NULL,
	"manager_id" INTEGER,
	CONSTRAINT "employee_manager_id_fkey" FOREIGN KEY ("manager_id") REFERENCES "employee" ("id")
);
CREATE TABLE "ho""stile; DROP TABLE users; --" (
	"k""ey" TEXT NOT NULL,
	"va""lue'); --" TEXT NOT NULL,
	PRIMARY KEY ("k""ey")
);
CREATE TABLE "orders" (
	"id" INTEGER PRIMARY KEY,
	"user_id" INTEGER NOT NULL,
	"total" NUMERIC NOT NULL,
	"note" TEXT,
	CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE TABLE "tagging" (
	"order_id" INTEGER NOT NULL,
	"tag" TEXT NOT NULL,
	"weight" INTEGER NOT NULL,
	PRIMARY KEY ("order_id", "tag"),
	CONSTRAINT "tagging_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders" ("id")
);
CREATE TABLE "left_side" (
	"id" INTEGER PRIMARY KEY,
	"right_id" INTEGER,
	CONSTRAINT "left_side_right_id_fkey" FOREIGN KEY ("right_id") REFERENCES "right_side" ("id")
);
CREATE TABLE "right_side" (
	"id" INTEGER PRIMARY KEY,
	"left_id" INTEGER,
	CONSTRAINT "right_side_left_id_fkey" FOREIGN KEY ("left_id") REFERENCES "left_side" ("id")
);
CREATE INDEX "ix_users_name" ON "users" ("name");

-- DropSQL
PRAGMA defer_foreign_keys = ON;
DROP TABLE IF EXISTS "right_side";
DROP TABLE IF EXISTS "left_side";
DROP TABLE IF EXISTS "tagging";
DROP TABLE IF EXISTS "orders";
DROP TABLE IF EXISTS "ho""stile; DROP TABLE users; --";
DROP TABLE IF EXISTS "employee";
DROP TABLE IF EXISTS "users";
