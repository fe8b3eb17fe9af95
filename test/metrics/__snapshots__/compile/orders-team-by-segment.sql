SELECT w.i AS wi, t.team_id::text AS sid, c.segment AS dim, count(DISTINCT t.customer_id) FILTER (WHERE t.channel = ANY($6::text[])) AS m0
FROM orders t
CROSS JOIN LATERAL (SELECT k AS i, ($3::timestamptz[])[k] AS s, ($3::timestamptz[])[k + 1] AS e FROM width_bucket(t.at, $3::timestamptz[]) AS k) w
LEFT JOIN customers c ON c.id = t.customer_id AND c.company_id = t.company_id
WHERE t.company_id = $1::uuid AND t.at >= $4::timestamptz AND t.at < $5::timestamptz AND t.team_id = ANY($2::uuid[])
GROUP BY w.i, t.team_id, c.segment
