-- Nexmark q14, calculation: converted prices in a band, a time-of-day class, and how often 'c' occurs in `extra`
-- (the benchmark counts it with a user function; built-in string functions do the same here).
CREATE TABLE nexmark_q14_sink (
  auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), bidTimeType VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR,
  c_counts INT
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q14_sink
SELECT auction, bidder, 0.908 * price AS price,
  CASE
    WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
    WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS bidTimeType,
  dateTime, extra,
  CHAR_LENGTH(extra) - CHAR_LENGTH(REPLACE(extra, 'c', '')) AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
