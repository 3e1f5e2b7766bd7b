-- eq
SELECT "worker"."id", "worker"."name", "worker"."type", "worker"."priority", "worker"."backup" FROM "worker" WHERE "worker"."type" = $1
-- args: "P"

-- in
SELECT "worker"."id", "worker"."name", "worker"."type", "worker"."priority", "worker"."backup" FROM "worker" WHERE ("worker"."type" = ANY($1::text[]::"employee_type"[])) AND ("worker"."priority" = ANY($2))
-- args: ["F", "C"], [1 (int64), 3 (int64)]

-- update
UPDATE "worker" SET "type" = $1 WHERE "worker"."priority" = $2
-- args: "C", 2 (int64)

