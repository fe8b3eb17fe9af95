SELECT w.i AS wi, NULL::text AS sid, NULL::text AS dim, (avg(t.amount) FILTER (WHERE t.product IS DISTINCT FROM $4::text AND t.category IS NOT NULL))::float8 AS m0
FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS w(s, e, i)
JOIN orders t ON t.company_id = $1::uuid AND t.at >= w.s AND t.at < w.e
WHERE TRUE
GROUP BY w.i
