-- Nexmark q13, bounded side input join: each bid enriched from a static file looked up by auction id mod 10000.
-- The side input (data/side_input.csv, 10000 keys) is read as a lookup table at processing time.
CREATE TABLE side_input (
  key BIGINT,
  `value` VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'data/side_input.csv', 'format' = 'csv');

CREATE TABLE nexmark_q13_sink (
  auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), `value` VARCHAR
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q13_sink
SELECT B.auction, B.bidder, B.price, B.dateTime, S.`value`
FROM (SELECT *, PROCTIME() AS p_time FROM bid) AS B
INNER JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON MOD(B.auction, 10000) = S.key;
