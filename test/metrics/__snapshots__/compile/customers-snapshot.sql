SELECT w.i AS wi, NULL::text AS sid, NULL::text AS dim, count(*) FILTER (WHERE t.acquired_at < w.e AND (t.churned_at IS NULL OR t.churned_at >= w.e)) AS m0, count(*) FILTER (WHERE t.acquired_at < w.s AND (t.churned_at IS NULL OR t.churned_at >= w.s) AND t.segment = $4::text) AS m1
FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS w(s, e, i)
JOIN customers t ON t.company_id = $1::uuid AND t.acquired_at < w.e
WHERE TRUE
GROUP BY w.i
