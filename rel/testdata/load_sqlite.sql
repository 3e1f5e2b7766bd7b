-- selectin one-to-many: one WHERE fk IN (...) query, ordered by the target's key
SELECT "parent"."id", "parent"."name" FROM "parent" ORDER BY "parent"."name"
-- args: []
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" WHERE "child"."parent_id" IN (?) ORDER BY "child"."id"
-- args: [1]

-- selectin many-to-one: the targets' keys, deduplicated
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" ORDER BY "child"."name"
-- args: []
SELECT "parent"."id", "parent"."name" FROM "parent" WHERE "parent"."id" IN (?) ORDER BY "parent"."id"
-- args: [1]

-- selectin many-to-many: the association table joined to the target, the owner's key first, the collection's OrderBy
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" ORDER BY "child"."name"
-- args: []
SELECT "child_tag"."child_id", "tag"."id", "tag"."name" FROM "child_tag" JOIN "tag" ON "tag"."id" = "child_tag"."tag_id" WHERE "child_tag"."child_id" IN (?, ?) ORDER BY "tag"."name", "tag"."id"
-- args: [1 2]

-- joined one-to-many: the query numbered in a derived table, LEFT OUTER JOIN, ordered by the number
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."name", "child"."id", "child"."name", "child"."parent_id" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "parent"."id", "parent"."name" FROM "parent" ORDER BY "parent"."name") AS "retort_s") AS "retort_q" LEFT OUTER JOIN "child" ON "child"."parent_id" = "retort_q"."id" ORDER BY "retort_q"."retort_n", "child"."id"
-- args: []

-- joined many-to-one with limit: LIMIT stays inside the derived table
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."name", "retort_q"."parent_id", "parent"."id", "parent"."name" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" ORDER BY "child"."name" LIMIT +?) AS "retort_s") AS "retort_q" LEFT OUTER JOIN "parent" ON "parent"."id" = "retort_q"."parent_id" ORDER BY "retort_q"."retort_n"
-- args: [1]

-- joined path: a one-to-many then a many-to-many, all in one statement
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."name", "child"."id", "child"."name", "child"."parent_id", "tag"."id", "tag"."name" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "parent"."id", "parent"."name" FROM "parent" ORDER BY "parent"."name") AS "retort_s") AS "retort_q" LEFT OUTER JOIN "child" ON "child"."parent_id" = "retort_q"."id" LEFT OUTER JOIN "child_tag" ON "child_tag"."child_id" = "child"."id" LEFT OUTER JOIN "tag" ON "tag"."id" = "child_tag"."tag_id" ORDER BY "retort_q"."retort_n", "child"."id", "tag"."name", "tag"."id"
-- args: []

-- selectin then joined: the SELECT IN query joins the next level
SELECT "parent"."id", "parent"."name" FROM "parent" ORDER BY "parent"."name"
-- args: []
SELECT "child"."id", "child"."name", "child"."parent_id", "tag"."id", "tag"."name" FROM "child" LEFT OUTER JOIN "child_tag" ON "child_tag"."child_id" = "child"."id" LEFT OUTER JOIN "tag" ON "tag"."id" = "child_tag"."tag_id" WHERE "child"."parent_id" IN (?) ORDER BY "child"."id", "tag"."name", "tag"."id"
-- args: [1]

-- joined self-referential: the second node table gets an alias
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."parent_id", "retort_q"."name", "node"."id", "node"."parent_id", "node"."name", "node_2"."id", "node_2"."parent_id", "node_2"."name" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "node"."id", "node"."parent_id", "node"."name" FROM "node" WHERE "node"."parent_id" IS NULL) AS "retort_s") AS "retort_q" LEFT OUTER JOIN "node" ON "node"."parent_id" = "retort_q"."id" LEFT OUTER JOIN "node" AS "node_2" ON "node_2"."parent_id" = "node"."id" ORDER BY "retort_q"."retort_n", "node"."name", "node"."id", "node_2"."name", "node_2"."id"
-- args: []

-- selectin one-to-many with conditions: the conditions ANDed to the WHERE clause, their values bind parameters
SELECT "parent"."id", "parent"."name" FROM "parent" WHERE "parent"."name" <> ? ORDER BY "parent"."name"
-- args: [x]
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" WHERE "child"."parent_id" IN (?) AND ("child"."name" <> ?) ORDER BY "child"."id"
-- args: [1 c2]

-- joined one-to-many with conditions: the conditions in the ON clause, their arguments after the query's
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."name", "child"."id", "child"."name", "child"."parent_id" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "parent"."id", "parent"."name" FROM "parent" WHERE "parent"."name" <> ? ORDER BY "parent"."name") AS "retort_s") AS "retort_q" LEFT OUTER JOIN "child" ON "child"."parent_id" = "retort_q"."id" AND ("child"."name" <> ?) ORDER BY "retort_q"."retort_n", "child"."id"
-- args: [x c2]

-- selectin many-to-many with conditions: on the target table, joined to the association table
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" ORDER BY "child"."name"
-- args: []
SELECT "child_tag"."child_id", "tag"."id", "tag"."name" FROM "child_tag" JOIN "tag" ON "tag"."id" = "child_tag"."tag_id" WHERE "child_tag"."child_id" IN (?, ?) AND ("tag"."name" = ?) ORDER BY "tag"."name", "tag"."id"
-- args: [1 2 t2]

-- joined self-referential with conditions: the second level's conditions name its alias
SELECT "retort_q"."retort_n", "retort_q"."id", "retort_q"."parent_id", "retort_q"."name", "node"."id", "node"."parent_id", "node"."name", "node_2"."id", "node_2"."parent_id", "node_2"."name" FROM (SELECT row_number() OVER () AS "retort_n", "retort_s".* FROM (SELECT "node"."id", "node"."parent_id", "node"."name" FROM "node" WHERE "node"."parent_id" IS NULL) AS "retort_s") AS "retort_q" LEFT OUTER JOIN "node" ON "node"."parent_id" = "retort_q"."id" AND ("node"."name" <> ?) LEFT OUTER JOIN "node" AS "node_2" ON "node_2"."parent_id" = "node"."id" AND ("node_2"."name" <> ?) ORDER BY "retort_q"."retort_n", "node"."name", "node"."id", "node_2"."name", "node_2"."id"
-- args: [b b]

-- lazy: one collection, one query
SELECT "parent"."id", "parent"."name" FROM "parent" ORDER BY "parent"."name" LIMIT +?
-- args: [1]
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" WHERE "child"."parent_id" IN (?) ORDER BY "child"."id"
-- args: [1]

-- many-to-many flush: association rows: one INSERT for the added, one DELETE for the removed
SELECT "child"."id", "child"."name", "child"."parent_id" FROM "child" ORDER BY "child"."name"
-- args: []
SELECT "child_tag"."child_id", "tag"."id", "tag"."name" FROM "child_tag" JOIN "tag" ON "tag"."id" = "child_tag"."tag_id" WHERE "child_tag"."child_id" IN (?, ?) ORDER BY "tag"."name", "tag"."id"
-- args: [1 2]
BEGIN IMMEDIATE
-- args: []
INSERT INTO "tag" ("id", "name") VALUES (?, ?)
-- args: [<nil> t3]
INSERT INTO "child_tag" ("child_id", "tag_id") VALUES (?, ?), (?, ?)
-- args: [1 3 2 3]
DELETE FROM "child_tag" WHERE ("child_id", "tag_id") IN (VALUES (?, ?), (?, ?))
-- args: [1 1 1 2]
COMMIT
-- args: []

