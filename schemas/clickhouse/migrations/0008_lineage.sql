-- Generated from schemas.Tables() by internal/migrate; do not edit.
-- Erasures done by `belvo-pipeline erase`, and the lineage of every row of every
-- record table (docs/operations.md#lineage).

-- One row per erasure, written when it starts and again, with completed_at
-- and what it erased, when it is done (the later version wins).
CREATE TABLE IF NOT EXISTS `belvo`.`erasures`
(
    `erasure_id` String,
    `link_id` String,
    `reason` String,
    `requested_at` DateTime64(6, 'UTC'),
    `completed_at` Nullable(DateTime64(6, 'UTC')),
    `tables` Array(LowCardinality(String)),
    `rows_erased` UInt64,
    `version` UInt64
)
ENGINE = ReplacingMergeTree(`version`)
ORDER BY (`link_id`, `erasure_id`)
SETTINGS non_replicated_deduplication_window = 1000;

-- Every physical row (each fetch of a record, deletions included) with what
-- caused it: the webhook event, its origin (webhook, backfill or sweep) and
-- first receipt, the Belvo request it answered (requests fact), when it was
-- fetched and loaded, and where it was read in Kafka. Filter by table, id or
-- link_id; add is_deleted = 0 and the highest version for the current row.
CREATE OR REPLACE VIEW `belvo`.`lineage` AS
SELECT
    r.`table` AS `table`,
    r.`id` AS `id`,
    r.`link_id` AS `link_id`,
    r.`is_deleted` AS `is_deleted`,
    r.`version` AS `version`,
    r.`webhook_id` AS `webhook_id`,
    w.`first_origin` AS `origin`,
    w.`first_type` AS `webhook_type`,
    w.`first_code` AS `webhook_code`,
    w.`first_received_at` AS `received_at`,
    r.`request_id` AS `belvo_request_id`,
    q.`kind` AS `request_kind`,
    q.`resource` AS `request_resource`,
    q.`date_from` AS `request_date_from`,
    q.`date_to` AS `request_date_to`,
    q.`sent_at` AS `request_sent_at`,
    r.`fetched_at` AS `fetched_at`,
    r.`loaded_at` AS `loaded_at`,
    r.`topic` AS `topic`,
    r.`partition` AS `partition`,
    r.`offset` AS `offset`
FROM
(
    SELECT 'accounts' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`accounts`
    UNION ALL
    SELECT 'bills' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`bills`
    UNION ALL
    SELECT 'current_employments' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`current_employments`
    UNION ALL
    SELECT 'employment_metrics' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`employment_metrics`
    UNION ALL
    SELECT 'employment_records' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`employment_records`
    UNION ALL
    SELECT 'employments' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`employments`
    UNION ALL
    SELECT 'financial_statements' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`financial_statements`
    UNION ALL
    SELECT 'incomes' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`incomes`
    UNION ALL
    SELECT 'investment_transactions' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`investment_transactions`
    UNION ALL
    SELECT 'investments' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`investments`
    UNION ALL
    SELECT 'invoices' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`invoices`
    UNION ALL
    SELECT 'owners' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`owners`
    UNION ALL
    SELECT 'recurring_expenses' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`recurring_expenses`
    UNION ALL
    SELECT 'risk_insights' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`risk_insights`
    UNION ALL
    SELECT 'tax_compliance_status' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`tax_compliance_status`
    UNION ALL
    SELECT 'tax_retentions' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`tax_retentions`
    UNION ALL
    SELECT 'tax_returns' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`tax_returns`
    UNION ALL
    SELECT 'tax_status' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`tax_status`
    UNION ALL
    SELECT 'transactions' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`transactions`
    UNION ALL
    SELECT 'link_events' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`link_events`
    UNION ALL
    SELECT 'consent_events' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`consent_events`
    UNION ALL
    SELECT 'error_events' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`error_events`
    UNION ALL
    SELECT 'requests' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`requests`
    UNION ALL
    SELECT 'reconciliations' AS `table`, `id`, `link_id`, `is_deleted`, `version`, `webhook_id`, `request_id`, `fetched_at`, `loaded_at`, `topic`, `partition`, `offset` FROM `belvo`.`reconciliations`
) AS r
LEFT JOIN
(
    SELECT `webhook_id`, argMin(`origin`, `received_at`) AS `first_origin`, argMin(`webhook_type`, `received_at`) AS `first_type`,
        argMin(`webhook_code`, `received_at`) AS `first_code`, min(`received_at`) AS `first_received_at`
    FROM `belvo`.`webhook_events`
    GROUP BY `webhook_id`
) AS w ON r.`webhook_id` = w.`webhook_id`
LEFT JOIN
(
    SELECT `belvo_request_id`, `kind`, `resource`, `date_from`, `date_to`, `sent_at`
    FROM `belvo`.`requests` FINAL
) AS q ON r.`request_id` = q.`belvo_request_id`
SETTINGS join_use_nulls = 1;
