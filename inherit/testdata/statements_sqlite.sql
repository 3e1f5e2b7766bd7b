-- polymorphic base: every subclass table LEFT JOINed, with a flag per table
SELECT "employee"."id", "employee"."name", "employee"."type", ("boss"."id" IS NOT NULL), "boss"."golf_average", ("grunt"."id" IS NOT NULL), "grunt"."savings", "grunt"."employer_id" FROM "employee" LEFT JOIN "boss" ON "boss"."id" = "employee"."id" LEFT JOIN "grunt" ON "grunt"."id" = "employee"."id";
-- args: []

-- polymorphic select-in: the base table only; follow-ups load the subclasses
SELECT "employee"."id", "employee"."name", "employee"."type" FROM "employee";
-- args: []

-- subclass with predicates: base and subclass columns in one WHERE, order, limit, offset
SELECT "employee"."id", "employee"."name", "employee"."type", "boss"."golf_average" FROM "employee" JOIN "boss" ON "boss"."id" = "employee"."id" WHERE ("employee"."name" = ?) AND ("boss"."golf_average" < ?) ORDER BY "boss"."golf_average" DESC LIMIT +? OFFSET +?;
-- args: [Bob 90 10 5]

-- middle class: Manager: person and manager joined, executive LEFT JOINed
SELECT "person"."id", "person"."name", "person"."kind", "manager"."budget", "manager"."title", ("executive"."id" IS NOT NULL), "executive"."bonus", "executive"."perks" FROM "person" JOIN "manager" ON "manager"."id" = "person"."id" LEFT JOIN "executive" ON "executive"."id" = "person"."id" WHERE "manager"."budget" > ?;
-- args: [10]

-- deepest class: three tables joined along the key
SELECT "person"."id", "person"."name", "person"."kind", "manager"."budget", "manager"."title", "executive"."bonus", "executive"."perks" FROM "person" JOIN "manager" ON "manager"."id" = "person"."id" JOIN "executive" ON "executive"."id" = "person"."id";
-- args: []

-- insert bosses: PostgreSQL: one statement, base rows with keys from the sequence, boss rows joined by ordinal; SQLite: one base INSERT a row (fewer than 50 generated keys), then the boss rows in one
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
-- args: [<nil> b1 boss]
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
-- args: [<nil> b2 boss]
INSERT INTO "boss" ("id", "golf_average") VALUES (?, ?), (?, ?);
-- args: [0 80 0 0]

-- insert mixed: employee, boss and grunt rows of one flush: one statement on PostgreSQL
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
-- args: [<nil> e employee]
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
-- args: [<nil> b boss]
INSERT INTO "employee" ("id", "name", "type") VALUES (?, ?, ?);
-- args: [<nil> g grunt]
INSERT INTO "boss" ("id", "golf_average") VALUES (?, ?);
-- args: [0 0]
INSERT INTO "grunt" ("id", "savings", "employer_id") VALUES (?, ?, ?);
-- args: [0 0 7]

-- insert three levels: an executive writes person, manager and executive rows; the intern's own key field is filled from the base key
INSERT INTO "person" ("id", "name", "kind") VALUES (?, ?, ?);
-- args: [<nil> x 3]
INSERT INTO "person" ("id", "name", "kind") VALUES (?, ?, ?);
-- args: [<nil> i 4]
INSERT INTO "manager" ("id", "budget", "title") VALUES (?, ?, ?);
-- args: [0 0 CEO]
INSERT INTO "executive" ("id", "bonus", "perks") VALUES (?, ?, ?);
-- args: [0 0 []]
INSERT INTO "intern" ("id", "school") VALUES (?, ?);
-- args: [0 ]

