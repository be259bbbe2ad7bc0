create or replace view FIELD_CONFLICTS(
	FIELD,
	CUSTOMERS,
	CONFLICTS
) as
SELECT
  field,
  COUNT(*) AS customers,
  SUM(CASE WHEN conflict THEN 1 ELSE 0 END) AS conflicts
FROM TRUEUP.GOLD.CUSTOMER_FIELDS
WHERE field <> 'email'
GROUP BY field;
