-- Nexmark q3, local item suggestion: who sells in Oregon, Idaho or California in category 10, and which auctions.
-- An incremental (regular) join of auctions with their sellers.
CREATE TABLE nexmark_q3_sink (name VARCHAR, city VARCHAR, state VARCHAR, id BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q3_sink
SELECT P.name, P.city, P.state, A.id
FROM auction AS A
INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA');
