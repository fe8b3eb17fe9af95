SELECT w.i AS wi, NULL::text AS sid, NULL::text AS dim, (sum(t.amount))::float8 AS m0, count(*) FILTER (WHERE t.amount >= $5::float8) AS m1
FROM orders t
CROSS JOIN LATERAL (SELECT k AS i, ($2::timestamptz[])[k] AS s, ($2::timestamptz[])[k + 1] AS e FROM width_bucket(t.at, $2::timestamptz[]) AS k) w
WHERE t.company_id = $1::uuid AND t.at >= $3::timestamptz AND t.at < $4::timestamptz
GROUP BY w.i
