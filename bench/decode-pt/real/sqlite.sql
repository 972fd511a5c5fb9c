-- hwt real-program benchmark: an SQLite workload (insert, index, join,
-- group by, sort).
CREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER, c TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO t SELECT i, (i * 7919) % 1009, printf('v%d', i % 97) FROM n;
CREATE INDEX tb ON t(b);
SELECT count(*), sum(x.a) FROM t x JOIN t y ON x.b = y.b AND y.a = x.a + 1009;
SELECT c, count(*), sum(b) FROM t GROUP BY c ORDER BY 3 DESC LIMIT 3;
