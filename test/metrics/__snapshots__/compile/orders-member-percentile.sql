SELECT w.i AS wi, t.member_id::text AS sid, NULL::text AS dim, (percentile_cont($5::float8) WITHIN GROUP (ORDER BY t.amount))::float8 AS m0
FROM orders t
CROSS JOIN LATERAL (SELECT k AS i, ($2::timestamptz[])[k] AS s, ($2::timestamptz[])[k + 1] AS e FROM width_bucket(t.at, $2::timestamptz[]) AS k) w
WHERE t.company_id = $1::uuid AND t.at >= $3::timestamptz AND t.at < $4::timestamptz AND t.member_id IS NOT NULL
GROUP BY w.i, t.member_id
