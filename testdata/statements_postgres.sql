-- select all: the cached column list
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users"
-- args: 

-- select where: typed predicates, AND of several conditions, order, limit, offset
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE ("users"."name" = $1) AND ("users"."age" > $2) AND ("users"."email" IS NOT NULL) ORDER BY "users"."name", "users"."id" DESC LIMIT $3 OFFSET $4
-- args: "bob", 30 (int32), 10 (int64), 20 (int64)

-- offset without limit: SQLite needs LIMIT -1 before OFFSET
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" OFFSET $1
-- args: 5 (int64)

-- in: one array parameter on PostgreSQL, a list on SQLite
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."id" = ANY($1)
-- args: [1 (int64), 2 (int64), 3 (int64)]

-- not in empty: an empty NOT IN matches everything
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE 1 = 1
-- args: 

-- in empty: an empty IN matches nothing
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE 1 = 0
-- args: 

-- or not: nesting is parenthesised
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE ("users"."age" < $1) OR (NOT ("users"."active" = $2))
-- args: 18 (int32), true (bool)

-- like: LIKE with an escape character
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE ("users"."name" LIKE $1 ESCAPE '\') AND ("users"."name" ILIKE $2 ESCAPE '\')
-- args: "b%", "%OB"

-- between and time: time values are bind parameters
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."joined" BETWEEN $1 AND $2
-- args: 2024-05-06T07:08:09Z, 2024-05-06T08:08:09Z

-- decimal: Decimal is sent as text
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."balance" >= $1
-- args: "10.50"

-- null check: IS NULL takes no argument
SELECT "employee"."id", "employee"."name", "employee"."manager_id" FROM "employee" WHERE "employee"."manager_id" IS NULL
-- args: 

-- self join alias: an alias quotes its own name
SELECT "manager"."id", "manager"."name", "manager"."manager_id" FROM "employee" AS "manager" WHERE "manager"."name" = $1
-- args: "ann"

-- raw: a raw predicate still binds its values
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE lower(name) = $1
-- args: "bob"

-- update: SET names are bare, WHERE is qualified
UPDATE "users" SET "name" = $1, "nick" = NULL, "age" = $2 WHERE "users"."id" = $3
-- args: "ann", 41 (int32), 7 (int64)

-- delete: DELETE with a condition
DELETE FROM "orders" WHERE "orders"."user_id" = ANY($1)
-- args: [1 (int64), 2 (int64)]

-- insert generated key: PostgreSQL draws keys in a CTE and returns (ordinal, key); SQLite inserts the rows in one statement, RETURNING the keys
WITH "v" AS MATERIALIZED (SELECT COALESCE("u"."id", nextval((SELECT COALESCE(pg_get_serial_sequence($5::text, $6::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $5::text::regclass AND c.attname = $6::text LIMIT 1))))) AS "id", "u"."user_id", "u"."total", "u"."note", "u"."retort_ord" FROM unnest($1::bigint[], $2::bigint[], $3::numeric[], $4::text[]) WITH ORDINALITY AS "u" ("id", "user_id", "total", "note", "retort_ord")), "i" AS (INSERT INTO "orders" ("id", "user_id", "total", "note") SELECT "v"."id", "v"."user_id", "v"."total", "v"."note" FROM "v" RETURNING 1) SELECT "v"."retort_ord", "v"."id" FROM "v"
-- args: "{NULL,40}", "{1,2}", "{9.99,0}", "{NULL,\"gift\"}", "\"orders\"", "id"

-- insert generated keys: every key to be generated (Items, as Exec and the session send it): PostgreSQL sends no array of keys, draws each with nextval in ordinal order and returns the keys alone (matched by sorting); SQLite sends fewer than 50 such rows one statement a row
INSERT INTO "orders" ("id", "user_id", "total", "note") OVERRIDING SYSTEM VALUE SELECT nextval((SELECT COALESCE(pg_get_serial_sequence($4::text, $5::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $4::text::regclass AND c.attname = $5::text LIMIT 1)))), "u"."user_id", "u"."total", "u"."note" FROM unnest($1::bigint[], $2::numeric[], $3::text[]) WITH ORDINALITY AS "u" ("user_id", "total", "note", "retort_ord") ORDER BY "u"."retort_ord" RETURNING "id"
-- args: "{1,2}", "{9.99,0}", "{NULL,\"gift\"}", "\"orders\"", "id"

-- insert composite key: no generated key: a plain INSERT ... SELECT FROM unnest; on PostgreSQL most columns travel as array literals
INSERT INTO "tagging" ("order_id", "tag", "weight") SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[])
-- args: "{1,1}", "{\"red\",\"a \\\"b\\\" \\\\ c,{d}\"}", "{3,4}"

-- insert one row without generated key: one row (Items, as Exec and the session send it): a plain INSERT ... VALUES
INSERT INTO "tagging" ("order_id", "tag", "weight") VALUES ($1, $2, $3)
-- args: 1 (int64), "red", 3 (uint16)

-- insert one row generated key: one row: INSERT ... VALUES without the key column, RETURNING the key on PostgreSQL
INSERT INTO "orders" ("user_id", "total", "note") VALUES ($1, $2, $3) RETURNING "id"
-- args: 1 (int64), "9.99", "gift"

-- insert one row given key: one row whose key is given: every column, nothing returned
INSERT INTO "orders" ("id", "user_id", "total", "note") VALUES ($1, $2, $3, $4)
-- args: 40 (int64), 2 (int64), "-0.50", NULL

-- injection by value: a value is never part of the SQL text
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."name" = $1
-- args: "x'); DROP TABLE users; --"

-- injection by name: names are quoted with inner quotes doubled
SELECT "ho""stile; DROP TABLE users; --"."k""ey", "ho""stile; DROP TABLE users; --"."va""lue'); --" FROM "ho""stile; DROP TABLE users; --" WHERE "ho""stile; DROP TABLE users; --"."va""lue'); --" = $1
-- args: "v"

