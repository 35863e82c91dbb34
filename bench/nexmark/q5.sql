-- Nexmark q5, hot items: in every 10 s window sliding by 2 s, the auctions with the most bids.
CREATE TABLE nexmark_q5_sink (auction BIGINT, num BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_q5_sink
SELECT C.auction, C.num
FROM (
  SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
  FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end
) AS C
INNER JOIN (
  SELECT MAX(N.num) AS maxn, N.starttime, N.endtime
  FROM (
    SELECT COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end
  ) AS N
  GROUP BY N.starttime, N.endtime
) AS M
ON C.starttime = M.starttime AND C.endtime = M.endtime AND C.num >= M.maxn;
