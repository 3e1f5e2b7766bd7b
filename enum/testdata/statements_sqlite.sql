-- eq
SELECT "worker"."id", "worker"."name", "worker"."type", "worker"."priority", "worker"."backup" FROM "worker" WHERE "worker"."type" = ?
-- args: "P"

-- in
SELECT "worker"."id", "worker"."name", "worker"."type", "worker"."priority", "worker"."backup" FROM "worker" WHERE ("worker"."type" IN (?, ?)) AND ("worker"."priority" IN (?, ?))
-- args: "F", "C", 1 (int64), 3 (int64)

-- update
UPDATE "worker" SET "type" = ? WHERE "worker"."priority" = ?
-- args: "C", 2 (int64)

