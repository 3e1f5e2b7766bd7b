-- join: an inner join on a typed condition; the query still returns users
SELECT DISTINCT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" JOIN "orders" ON "orders"."user_id" = "users"."id" WHERE "orders"."total" > $1
-- args: "10"

-- left join: a left join; the joined column is read through Nullable
SELECT "users"."name", "orders"."total" FROM "users" LEFT JOIN "orders" ON "orders"."user_id" = "users"."id" ORDER BY "users"."name"
-- args: 

-- join along the foreign key: JoinFK finds orders.user_id -> users.id from either side
SELECT "users"."name", "orders"."id" FROM "orders" JOIN "users" ON "orders"."user_id" = "users"."id"
-- args: 

-- join along the foreign key, reversed: the same key seen from the referenced table
SELECT "users"."name", "orders"."id" FROM "users" JOIN "orders" ON "orders"."user_id" = "users"."id"
-- args: 

-- three tables: a join condition may use any table to its left
SELECT "users"."name", "tagging"."tag" FROM "users" JOIN "orders" ON "orders"."user_id" = "users"."id" JOIN "tagging" ON "tagging"."order_id" = "orders"."id"
-- args: 

-- self join along the foreign key: a self-referencing key is followed to the referenced row (the manager)
SELECT "employee"."name", "m"."name" FROM "employee" JOIN "employee" AS "m" ON "employee"."manager_id" = "m"."id"
-- args: 

-- self join on a condition: subordinates: the other direction, spelled out
SELECT "employee"."name", "s"."name" FROM "employee" LEFT JOIN "employee" AS "s" ON "s"."manager_id" = "employee"."id"
-- args: 

-- literals and arithmetic: values are parameters, cast on PostgreSQL so their type is known
SELECT "users"."name", ("users"."age" + CAST($1 AS integer)) FROM "users" WHERE ("users"."score" * CAST($2 AS double precision)) > (CAST($3 AS double precision) - ("users"."score" / CAST($4 AS double precision)))
-- args: 1 (int32), 2 (float64), 10 (float64), 4 (float64)

-- string functions: lower, upper, length, concat, coalesce, abs
SELECT lower("users"."name"), upper(coalesce("users"."nick", CAST($1 AS text))), length("users"."name"), ("users"."name" || CAST($2 AS text)) FROM "users" WHERE (lower("users"."name") = CAST($3 AS text)) AND (abs("users"."score") < CAST($4 AS double precision)) AND (("users"."age" % CAST($5 AS integer)) >= CAST($6 AS integer))
-- args: "none", "!", "bob", 5 (float64), 7 (int32), 2 (int32)

-- case: a typed CASE with an ELSE
SELECT "users"."name", CASE WHEN "users"."age" < $1 THEN CAST($2 AS text) WHEN "users"."age" < $3 THEN CAST($4 AS text) ELSE CAST($5 AS text) END FROM "users"
-- args: 18 (int32), "minor", 65 (int32), "adult", "senior"

-- grouped operands: a predicate or raw SQL as an operand goes in parentheses
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE ("users"."active" = (("users"."name" = $1) OR ("users"."name" = $2))) AND ((NOT ("users"."active")) IS NULL) AND ((("users"."age" + 1) * CAST($3 AS integer)) > "users"."age")
-- args: "ann", "bob", 2 (int32)

-- escape hatch: retort.SQL still binds its arguments
SELECT "users"."age" * $1 + $2 FROM "users" WHERE "users"."name" <> $3
-- args: 2 (int), 1 (int), "x"

-- decimal literal: a Decimal value is sent as text
SELECT "users"."name" FROM "users" WHERE "users"."balance" > CAST($1 AS numeric(12,2))
-- args: "1.50"

-- is null: IS NULL on any expression
SELECT "users"."name" FROM "users" WHERE (lower(coalesce("users"."nick", "users"."email")) IS NULL) AND ("users"."name" IS NOT NULL)
-- args: 

-- aggregates: sums and averages are cast on PostgreSQL so both databases return int64 and float64
SELECT count(*), count(DISTINCT "users"."age"), CAST(sum("users"."age") AS bigint), CAST(avg("users"."score") AS double precision), max("users"."joined") FROM "users"
-- args: 

-- more aggregates: count of a column, float sum, decimal sum and average, min
SELECT count("users"."email"), CAST(sum("users"."score") AS double precision), sum("users"."balance"), avg("users"."balance"), min("users"."name") FROM "users"
-- args: 

-- group by having: aggregates over groups, filtered and ordered
SELECT "users"."name", count(*) FROM "users" JOIN "orders" ON "orders"."user_id" = "users"."id" GROUP BY "users"."name" HAVING count(*) > CAST($1 AS bigint) ORDER BY count(*) DESC, "users"."name" LIMIT $2
-- args: 1 (int64), 10 (int64)

-- nulls first and last: where NULLs sort, the same on both databases
SELECT "users"."name" FROM "users" ORDER BY "users"."nick" NULLS FIRST, lower("users"."name") DESC NULLS LAST
-- args: 

-- distinct: SELECT DISTINCT of a projection
SELECT DISTINCT "users"."age" FROM "users" ORDER BY "users"."age"
-- args: 

-- select into: rows read into the caller's struct through field accessors
SELECT "users"."name", count(*) FROM "users" JOIN "orders" ON "orders"."user_id" = "users"."id" GROUP BY "users"."name"
-- args: 

-- no from: a projection of values only has no FROM clause
SELECT CAST($1 AS bigint), CAST($2 AS text)
-- args: 1 (int), "a"

-- in subquery: IN typed by the subquery's single column
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."id" IN (SELECT "orders"."user_id" FROM "orders" WHERE "orders"."total" > $1)
-- args: "100"

-- not in subquery: NOT IN
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."id" NOT IN (SELECT "orders"."user_id" FROM "orders")
-- args: 

-- exists: a correlated EXISTS sees the outer table
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE EXISTS (SELECT 1 FROM "orders" WHERE ("orders"."user_id" = "users"."id") AND ("orders"."note" IS NOT NULL))
-- args: 

-- not exists: NOT EXISTS of a projection
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE NOT EXISTS (SELECT "orders"."id" FROM "orders" WHERE "orders"."user_id" = "users"."id")
-- args: 

-- scalar subquery: a correlated count in the select list and in a predicate
SELECT "users"."name", (SELECT count(*) FROM "orders" WHERE "orders"."user_id" = "users"."id") FROM "users" WHERE (SELECT count(*) FROM "orders" WHERE "orders"."user_id" = "users"."id") > CAST($1 AS bigint)
-- args: 0 (int64)

-- derived table: a grouped projection joined as a table
SELECT "users"."name", "t"."c2" FROM "users" JOIN (SELECT "orders"."user_id" AS "c1", count(*) AS "c2" FROM "orders" GROUP BY "orders"."user_id") AS "t" ON "users"."id" = "t"."c1" WHERE "t"."c2" > CAST($1 AS bigint)
-- args: 1 (int64)

-- union: two projections of the same row type, ordered by result column
SELECT "users"."name", "users"."age" FROM "users" WHERE "users"."age" < $1 UNION SELECT "employee"."name", "employee"."id" FROM "employee" ORDER BY 1 LIMIT $2
-- args: 30 (int32), 5 (int64)

-- union all, except: applied left to right
SELECT "users"."name" FROM "users" UNION ALL SELECT "employee"."name" FROM "employee" EXCEPT SELECT "ho""stile; DROP TABLE users; --"."va""lue'); --" FROM "ho""stile; DROP TABLE users; --"
-- args: 

-- intersect after union: PostgreSQL binds INTERSECT tighter, so the union is parenthesised there
(SELECT "users"."name" FROM "users" UNION SELECT "employee"."name" FROM "employee") INTERSECT SELECT "ho""stile; DROP TABLE users; --"."k""ey" FROM "ho""stile; DROP TABLE users; --" ORDER BY "name" DESC
-- args: 

-- for update: PostgreSQL locks the rows; SQLite refuses before sending anything
SELECT "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level" FROM "users" WHERE "users"."id" = $1 FOR UPDATE
-- args: 1 (int64)

-- skip locked: a job queue's lock
SELECT "orders"."id", "orders"."user_id", "orders"."total", "orders"."note" FROM "orders" ORDER BY "orders"."id" LIMIT $1 FOR UPDATE SKIP LOCKED
-- args: 1 (int64)

-- nowait: fail at once instead of waiting
SELECT "users"."name" FROM "users" FOR SHARE NOWAIT
-- args: 

-- upsert do nothing: skipped rows return no key, so their objects keep a zero key
WITH "v" AS MATERIALIZED (SELECT COALESCE("u"."id", nextval((SELECT COALESCE(pg_get_serial_sequence($12::text, $13::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $12::text::regclass AND c.attname = $13::text LIMIT 1))))) AS "id", "u"."name", "u"."email", "u"."age", "u"."score", "u"."active", "u"."avatar", "u"."joined", "u"."balance", "u"."nick", "u"."level", "u"."retort_ord" FROM unnest($1::bigint[], $2::varchar(20)[], $3::text[], $4::integer[], $5::double precision[], $6::boolean[], $7::bytea[], $8::timestamptz[], $9::numeric(12,2)[], $10::text[], $11::smallint[]) WITH ORDINALITY AS "u" ("id", "name", "email", "age", "score", "active", "avatar", "joined", "balance", "nick", "level", "retort_ord")), "i" AS (INSERT INTO "users" ("id", "name", "email", "age", "score", "active", "avatar", "joined", "balance", "nick", "level") SELECT "v"."id", "v"."name", "v"."email", "v"."age", "v"."score", "v"."active", "v"."avatar", "v"."joined", "v"."balance", "v"."nick", "v"."level" FROM "v" ON CONFLICT ("email") DO NOTHING RETURNING "id", "email") SELECT "v"."retort_ord", "i"."id" FROM "i" JOIN "v" ON "v"."id" = "i"."id"
-- args: "{NULL}", "{\"ann\"}", "{\"a@x\"}", "{0}", "{0}", "{f}", [[] ([]uint8)], [0001-01-01T00:00:00Z], "{0}", "{NULL}", "{1}", "\"users\"", "id"

-- upsert do update: updated rows are matched to their objects by the conflict columns
WITH "v" AS MATERIALIZED (SELECT COALESCE("u"."id", nextval((SELECT COALESCE(pg_get_serial_sequence($12::text, $13::text)::regclass, (SELECT d.refobjid::regclass FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute c ON c.attrelid = a.adrelid AND c.attnum = a.adnum JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = a.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' WHERE a.adrelid = $12::text::regclass AND c.attname = $13::text LIMIT 1))))) AS "id", "u"."name", "u"."email", "u"."age", "u"."score", "u"."active", "u"."avatar", "u"."joined", "u"."balance", "u"."nick", "u"."level", "u"."retort_ord" FROM unnest($1::bigint[], $2::varchar(20)[], $3::text[], $4::integer[], $5::double precision[], $6::boolean[], $7::bytea[], $8::timestamptz[], $9::numeric(12,2)[], $10::text[], $11::smallint[]) WITH ORDINALITY AS "u" ("id", "name", "email", "age", "score", "active", "avatar", "joined", "balance", "nick", "level", "retort_ord")), "i" AS (INSERT INTO "users" ("id", "name", "email", "age", "score", "active", "avatar", "joined", "balance", "nick", "level") SELECT "v"."id", "v"."name", "v"."email", "v"."age", "v"."score", "v"."active", "v"."avatar", "v"."joined", "v"."balance", "v"."nick", "v"."level" FROM "v" ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name", "age" = ("users"."age" + CAST($14 AS integer)), "level" = $15 RETURNING "id", "email") SELECT "v"."retort_ord", "i"."id" FROM "i" JOIN "v" ON "v"."id" = "i"."id" UNION ALL SELECT "v"."retort_ord", "i"."id" FROM "i" JOIN "v" ON "v"."email" = "i"."email" WHERE NOT EXISTS (SELECT 1 FROM "v" AS "d" WHERE "d"."id" = "i"."id")
-- args: "{NULL}", "{\"ann\"}", "{\"a@x\"}", "{0}", "{0}", "{f}", [[] ([]uint8)], [0001-01-01T00:00:00Z], "{0}", "{NULL}", "{1}", "\"users\"", "id", 1 (int32), 5 (int8)

-- upsert without generated key: a composite key: no key to return
INSERT INTO "tagging" ("order_id", "tag", "weight") SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[]) ON CONFLICT ("order_id", "tag") DO UPDATE SET "weight" = ("tagging"."weight" + excluded."weight")
-- args: "{1}", "{\"red\"}", "{2}"

-- upsert any conflict: DO NOTHING without conflict columns
INSERT INTO "tagging" ("order_id", "tag", "weight") SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[]) ON CONFLICT DO NOTHING
-- args: "{1}", "{\"red\"}", "{0}"

-- update returning objects: RETURNING every column
UPDATE "users" SET "age" = $1 WHERE "users"."name" = $2 RETURNING "users"."id", "users"."name", "users"."email", "users"."age", "users"."score", "users"."active", "users"."avatar", "users"."joined", "users"."balance", "users"."nick", "users"."level"
-- args: 1 (int32), "bob"

-- update returning rows: RETURNING typed expressions
UPDATE "users" SET "age" = ("users"."age" + CAST($1 AS integer)) RETURNING "users"."id", "users"."age"
-- args: 1 (int32)

-- delete returning: RETURNING one column
DELETE FROM "orders" WHERE "orders"."total" < $1 RETURNING "orders"."id"
-- args: "1"

-- error: table not in FROM: a predicate on orders in a query of users
-- error: retort: select "users": column "orders"."total" refers to table "orders", which is not in the FROM clause (add it with From or Join)

-- error: projected column not in FROM: the FROM clause is users
-- error: retort: select "users": column "orders"."id" refers to table "orders", which is not in the FROM clause (add it with From or Join)

-- error: join condition ahead of its table: a join condition may not use a table joined later
-- error: retort: select "users": join condition uses column "tagging"."order_id", but "tagging" is joined after it

-- error: update of another table: the WHERE of an UPDATE of users names orders
-- error: retort: update "users": column "orders"."id" refers to table "orders", which is not in the FROM clause (add it with From or Join)

-- error: no foreign key: users and employee are not related
-- error: retort: select "users": join "employee" along a foreign key: there is none between it and "users"; give the condition with Join

-- error: two foreign keys: left_side and right_side reference each other
-- error: retort: select "left_side": join "right_side" along a foreign key: 2 could be meant, left_side_right_id_fkey (left_side.right_id -> right_side.id), right_side_left_id_fkey (right_side.left_id -> left_side.id); give the condition with Join

-- error: table twice: a self-join needs an alias
-- error: retort: select "employee": "employee" appears twice in the FROM clause; use retort.Alias for the second

-- error: ordered part of a union: order the whole instead
-- error: retort: select "users": part 1 of a UNION has ORDER BY, LIMIT, OFFSET or a lock; order and limit the whole SetQuery instead

-- error: do update without columns: DO UPDATE needs a conflict target
-- error: retort: insert "users": ON CONFLICT DO UPDATE needs the conflict columns

-- error: lock with group by: PostgreSQL cannot lock grouped rows
-- error: retort: select "users": FOR UPDATE cannot be used with DISTINCT, GROUP BY or HAVING

