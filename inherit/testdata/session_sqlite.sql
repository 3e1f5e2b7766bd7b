-- insert: base rows, then subclass rows, per table
BEGIN IMMEDIATE;
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
INSERT INTO "boss" ("id", "golf_average") VALUES (?, ?);
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
INSERT INTO "grunt" ("id", "savings", "employer_id") VALUES (?, ?, ?);
INSERT INTO "person" ("id", "name", "kind") VALUES (?, ?, ?);
INSERT INTO "manager" ("id", "budget", "title") VALUES (?, ?, ?);
INSERT INTO "executive" ("id", "bonus", "perks") VALUES (?, ?, ?);
COMMIT;

-- update: only the tables whose columns changed
BEGIN IMMEDIATE;
UPDATE "boss" SET "golf_average" = ? WHERE "id" = ?;
UPDATE "employee" SET "name" = ? WHERE "id" = ?;
UPDATE "executive" SET "bonus" = ? WHERE "id" = ?;
UPDATE "manager" SET "budget" = ? WHERE "id" = ?;
COMMIT;

-- select-in: the base query, then one query per subclass present
SELECT "person"."id", "person"."name", "person"."kind" FROM "person";
SELECT "executive"."id", "manager"."budget", "manager"."title", "executive"."bonus", "executive"."perks" FROM "executive" JOIN "manager" ON "manager"."id" = "executive"."id" WHERE "executive"."id" = ?;
SELECT "employee"."id", "employee"."name", "employee"."type" FROM "employee";
SELECT "boss"."id", "boss"."golf_average" FROM "boss" WHERE "boss"."id" = ?;
SELECT "grunt"."id", "grunt"."savings", "grunt"."employer_id" FROM "grunt" WHERE "grunt"."id" = ?;

-- delete: subclass rows first
BEGIN IMMEDIATE;
DELETE FROM "executive" WHERE "id" IN (?);
DELETE FROM "manager" WHERE "id" IN (?);
DELETE FROM "person" WHERE "id" IN (?);
DELETE FROM "grunt" WHERE "id" IN (?);
DELETE FROM "employee" WHERE "id" IN (?);
COMMIT;

