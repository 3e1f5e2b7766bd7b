-- polymorphic base: every subclass table LEFT JOINed, with a flag per table
SELECT "employee"."id", "employee"."name", "employee"."type", ("boss"."id" IS NOT NULL), "boss"."golf_average", ("grunt"."id" IS NOT NULL), "grunt"."savings", "grunt"."employer_id" FROM "employee" LEFT JOIN "boss" ON "boss"."id" = "employee"."id" LEFT JOIN "grunt" ON "grunt"."id" = "employee"."id";
-- args: []

-- polymorphic select-in: the base table only; follow-ups load the subclasses
SELECT "employee"."id", "employee"."name", "employee"."type" FROM "employee";
-- args: []

-- subclass with predicates: base and subclass columns in one WHERE, order, limit, offset
SELECT "employee"."id", "employee"."name", "employee"."type", "boss"."golf_average" FROM "employee" JOIN "boss" ON "boss"."id" = "employee"."id" WHERE ("employee"."name" = $1) AND ("boss"."golf_average" < $2) ORDER BY "boss"."golf_average" DESC LIMIT $3 OFFSET $4;
-- args: [Bob 90 10 5]

-- middle class: Manager: person and manager joined, executive LEFT JOINed
SELECT "person"."id", "person"."name", "person"."kind", "manager"."budget", "manager"."title", ("executive"."id" IS NOT NULL), "executive"."bonus", "executive"."perks" FROM "person" JOIN "manager" ON "manager"."id" = "person"."id" LEFT JOIN "executive" ON "executive"."id" = "person"."id" WHERE "manager"."budget" > $1;
-- args: [10]

-- deepest class: three tables joined along the key
SELECT "person"."id", "person"."name", "person"."kind", "manager"."budget", "manager"."title", "executive"."bonus", "executive"."perks" FROM "person" JOIN "manager" ON "manager"."id" = "person"."id" JOIN "executive" ON "executive"."id" = "person"."id";
-- args: []

-- insert bosses: PostgreSQL: one statement, base rows with keys from the sequence, boss rows joined by ordinal; SQLite: one base INSERT a row (fewer than 50 generated keys), then the boss rows in one
WITH "v" AS MATERIALIZED (SELECT nextval((SELECT COALESCE(pg_get_serial_sequence($3::text, $4::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $3::text::regclass AND c.attname = $4::text LIMIT 1)))) AS "id", "u"."name", "u"."type", "u"."retort_ord" FROM unnest($1::varchar(100)[], $2::varchar(50)[]) WITH ORDINALITY AS "u" ("name", "type", "retort_ord")), "i0" AS (INSERT INTO "employee" ("id", "name", "type") OVERRIDING SYSTEM VALUE SELECT "v"."id", "v"."name", "v"."type" FROM "v"), "i1" AS (INSERT INTO "boss" ("id", "golf_average") SELECT "v"."id", "s"."golf_average" FROM unnest($5::bigint[], $6::numeric(10,2)[]) AS "s" ("retort_ord", "golf_average") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord") SELECT "v"."retort_ord", "v"."id" FROM "v";
-- args: [{"b1","b2"} {"boss","boss"} "employee" id [1 2] {80,0}]

-- insert mixed: employee, boss and grunt rows of one flush: one statement on PostgreSQL
WITH "v" AS MATERIALIZED (SELECT nextval((SELECT COALESCE(pg_get_serial_sequence($3::text, $4::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $3::text::regclass AND c.attname = $4::text LIMIT 1)))) AS "id", "u"."name", "u"."type", "u"."retort_ord" FROM unnest($1::varchar(100)[], $2::varchar(50)[]) WITH ORDINALITY AS "u" ("name", "type", "retort_ord")), "i0" AS (INSERT INTO "employee" ("id", "name", "type") OVERRIDING SYSTEM VALUE SELECT "v"."id", "v"."name", "v"."type" FROM "v"), "i1" AS (INSERT INTO "boss" ("id", "golf_average") SELECT "v"."id", "s"."golf_average" FROM unnest($5::bigint[], $6::numeric(10,2)[]) AS "s" ("retort_ord", "golf_average") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord"), "i2" AS (INSERT INTO "grunt" ("id", "savings", "employer_id") SELECT "v"."id", "s"."savings", "s"."employer_id" FROM unnest($7::bigint[], $8::numeric(12,2)[], $9::bigint[]) AS "s" ("retort_ord", "savings", "employer_id") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord") SELECT "v"."retort_ord", "v"."id" FROM "v";
-- args: [{"e","b","g"} {"employee","boss","grunt"} "employee" id [2] {0} [3] {0} {7}]

-- insert three levels: an executive writes person, manager and executive rows; the intern's own key field is filled from the base key
WITH "v" AS MATERIALIZED (SELECT nextval((SELECT COALESCE(pg_get_serial_sequence($3::text, $4::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $3::text::regclass AND c.attname = $4::text LIMIT 1)))) AS "id", "u"."name", "u"."kind", "u"."retort_ord" FROM unnest($1::text[], $2::smallint[]) WITH ORDINALITY AS "u" ("name", "kind", "retort_ord")), "i0" AS (INSERT INTO "person" ("id", "name", "kind") OVERRIDING SYSTEM VALUE SELECT "v"."id", "v"."name", "v"."kind" FROM "v"), "i1" AS (INSERT INTO "manager" ("id", "budget", "title") SELECT "v"."id", "s"."budget", "s"."title" FROM unnest($5::bigint[], $6::bigint[], $7::text[]) AS "s" ("retort_ord", "budget", "title") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord"), "i2" AS (INSERT INTO "executive" ("id", "bonus", "perks") SELECT "v"."id", "s"."bonus", "s"."perks" FROM unnest($8::bigint[], $9::numeric(12,2)[], $10::bytea[]) AS "s" ("retort_ord", "bonus", "perks") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord"), "i3" AS (INSERT INTO "intern" ("id", "school") SELECT "v"."id", "s"."school" FROM unnest($11::bigint[], $12::text[]) AS "s" ("retort_ord", "school") JOIN "v" ON "v"."retort_ord" = "s"."retort_ord") SELECT "v"."retort_ord", "v"."id" FROM "v";
-- args: [{"x","i"} {3,4} "person" id [1] {0} {"CEO"} [1] {0} [[]] [2] {""}]

