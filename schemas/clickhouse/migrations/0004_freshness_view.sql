-- Generated from schemas.Resources by internal/migrate; do not edit.
-- Seconds from a webhook's first receipt (webhook_events) to each row loaded
-- for it, per resource. Physical rows, not FINAL: every load counts.

CREATE OR REPLACE VIEW `belvo`.`freshness` AS
SELECT
    r.`resource` AS `resource`,
    count() AS `rows`,
    quantile(0.5)(r.`lag_seconds`) AS `p50_seconds`,
    quantile(0.95)(r.`lag_seconds`) AS `p95_seconds`,
    quantile(0.99)(r.`lag_seconds`) AS `p99_seconds`,
    max(r.`lag_seconds`) AS `max_seconds`,
    max(r.`loaded_at`) AS `last_loaded_at`
FROM
(
    SELECT l.`resource`, l.`loaded_at`, dateDiff('microsecond', w.`received_at`, l.`loaded_at`) / 1e6 AS `lag_seconds`
    FROM
    (
        SELECT 'accounts' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`accounts` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'bills' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`bills` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'current_employments' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`current_employments` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'employment_metrics' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`employment_metrics` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'employment_records' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`employment_records` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'employments' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`employments` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'financial_statements' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`financial_statements` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'incomes' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`incomes` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'investment_transactions' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`investment_transactions` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'investments' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`investments` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'invoices' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`invoices` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'owners' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`owners` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'recurring_expenses' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`recurring_expenses` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'risk_insights' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`risk_insights` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'tax_compliance_status' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`tax_compliance_status` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'tax_retentions' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`tax_retentions` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'tax_returns' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`tax_returns` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'tax_status' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`tax_status` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
        UNION ALL
        SELECT 'transactions' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM `belvo`.`transactions` WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0
    ) AS l
    INNER JOIN
    (
        SELECT `webhook_id`, min(`received_at`) AS `received_at` FROM `belvo`.`webhook_events` GROUP BY `webhook_id`
    ) AS w ON l.`webhook_id` = w.`webhook_id`
) AS r
GROUP BY r.`resource`;
