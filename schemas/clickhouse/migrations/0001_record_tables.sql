-- Generated from schemas.Tables() by internal/migrate; do not edit.
-- One ReplacingMergeTree(version, is_deleted) table per resource and fact.

CREATE TABLE IF NOT EXISTS `belvo`.`accounts`
(
    `id` String,
    `link_id` String,
    `institution` LowCardinality(Nullable(String)),
    `category` LowCardinality(Nullable(String)),
    `type` LowCardinality(Nullable(String)),
    `subtype` LowCardinality(Nullable(String)),
    `balance_type` LowCardinality(Nullable(String)),
    `name` Nullable(String),
    `number` Nullable(String),
    `currency` LowCardinality(Nullable(String)),
    `balance_current` Nullable(Decimal(38, 10)),
    `balance_available` Nullable(Decimal(38, 10)),
    `credit_limit` Nullable(Decimal(38, 10)),
    `internal_identification` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `last_accessed_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`bills`
(
    `id` String,
    `link_id` String,
    `account_id` Nullable(String),
    `bill_name` Nullable(String),
    `due_date` Nullable(Date32),
    `currency` LowCardinality(Nullable(String)),
    `total_amount` Nullable(Decimal(38, 10)),
    `minimum_amount` Nullable(Decimal(38, 10)),
    `is_installment` Nullable(Bool),
    `internal_identification` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`current_employments`
(
    `id` String,
    `link_id` String,
    `month` Nullable(String),
    `status` LowCardinality(Nullable(String)),
    `internal_identification` Nullable(String),
    `official_name` Nullable(String),
    `birth_date` Nullable(Date32),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`employment_metrics`
(
    `id` String,
    `link_id` String,
    `reference_date` Nullable(Date32),
    `current_status` LowCardinality(Nullable(String)),
    `age` Nullable(Int64),
    `current_employer_count` Nullable(Int64),
    `employer_count` Nullable(Int64),
    `unique_employer_count` Nullable(Int64),
    `weeks_employed_total` Nullable(Float64),
    `weeks_since_last_job` Nullable(Float64),
    `base_salary_last` Nullable(Decimal(38, 10)),
    `average_monthly_salary_1y` Nullable(Decimal(38, 10)),
    `average_monthly_salary_3y` Nullable(Decimal(38, 10)),
    `average_monthly_salary_5y` Nullable(Decimal(38, 10)),
    `yearly_change_1y` Nullable(Float64),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `updated_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`employment_records`
(
    `id` String,
    `link_id` String,
    `report_date` Nullable(Date32),
    `days_since_extraction` Nullable(Int64),
    `internal_identification` Nullable(String),
    `official_name` Nullable(String),
    `weeks_contributed` Nullable(Int64),
    `employment_status_estimate` LowCardinality(Nullable(String)),
    `base_salary_estimate` Nullable(Decimal(38, 10)),
    `salary_currency` LowCardinality(Nullable(String)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`employments`
(
    `id` String,
    `link_id` String,
    `start_date` Nullable(Date32),
    `end_date` Nullable(Date32),
    `employer_name` Nullable(String),
    `employer_code` Nullable(String),
    `economic_activity` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`financial_statements`
(
    `id` String,
    `link_id` String,
    `year` Nullable(Int64),
    `currency` LowCardinality(Nullable(String)),
    `error` Nullable(String),
    `current_assets_total` Nullable(Decimal(38, 10)),
    `non_current_assets_total` Nullable(Decimal(38, 10)),
    `current_liabilities_total` Nullable(Decimal(38, 10)),
    `non_current_liabilities_total` Nullable(Decimal(38, 10)),
    `equity_total` Nullable(Decimal(38, 10)),
    `net_revenue` Nullable(Decimal(38, 10)),
    `gross_profit` Nullable(Decimal(38, 10)),
    `operating_income` Nullable(Decimal(38, 10)),
    `income_before_taxes` Nullable(Decimal(38, 10)),
    `net_income` Nullable(Decimal(38, 10)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`incomes`
(
    `id` String,
    `link_id` String,
    `income_source_type` LowCardinality(Nullable(String)),
    `first_transaction_date` Nullable(Date32),
    `last_transaction_date` Nullable(Date32),
    `number_of_income_streams` Nullable(Int64),
    `best_working_day_to_charge` Nullable(Int64),
    `monthly_average` Nullable(Decimal(38, 10)),
    `monthly_average_regular` Nullable(Decimal(38, 10)),
    `monthly_average_irregular` Nullable(Decimal(38, 10)),
    `total_income_amount` Nullable(Decimal(38, 10)),
    `total_regular_income_amount` Nullable(Decimal(38, 10)),
    `total_irregular_income_amount` Nullable(Decimal(38, 10)),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`investment_transactions`
(
    `id` String,
    `link_id` String,
    `investment_id` Nullable(String),
    `investment_type` LowCardinality(Nullable(String)),
    `currency` LowCardinality(Nullable(String)),
    `internal_identification` Nullable(String),
    `value_date` Nullable(Date32),
    `type` LowCardinality(Nullable(String)),
    `subtype` LowCardinality(Nullable(String)),
    `quantity` Nullable(Float64),
    `unit_price` Nullable(Decimal(38, 10)),
    `gross_value` Nullable(Decimal(38, 10)),
    `net_value` Nullable(Decimal(38, 10)),
    `value` Nullable(Decimal(38, 10)),
    `income_tax` Nullable(Decimal(38, 10)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`investments`
(
    `id` String,
    `link_id` String,
    `type` LowCardinality(Nullable(String)),
    `category` LowCardinality(Nullable(String)),
    `product_name` Nullable(String),
    `currency` LowCardinality(Nullable(String)),
    `isin_number` Nullable(String),
    `issuer_id_number` Nullable(String),
    `is_tax_exempt` Nullable(Bool),
    `issue_date` Nullable(Date32),
    `purchase_date` Nullable(Date32),
    `due_date` Nullable(Date32),
    `balance_reference_date` Nullable(DateTime64(6, 'UTC')),
    `balance_gross_value` Nullable(Decimal(38, 10)),
    `balance_net_value` Nullable(Decimal(38, 10)),
    `balance_quantity` Nullable(Float64),
    `indexer` LowCardinality(Nullable(String)),
    `pre_fixed_rate` Nullable(Float64),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`invoices`
(
    `id` String,
    `link_id` String,
    `invoice_identification` Nullable(String),
    `invoice_date` Nullable(Date32),
    `invoice_type` LowCardinality(Nullable(String)),
    `type` LowCardinality(Nullable(String)),
    `status` LowCardinality(Nullable(String)),
    `sender_id` Nullable(String),
    `sender_name` Nullable(String),
    `receiver_id` Nullable(String),
    `receiver_name` Nullable(String),
    `currency` LowCardinality(Nullable(String)),
    `exchange_rate` Nullable(Decimal(38, 10)),
    `subtotal_amount` Nullable(Decimal(38, 10)),
    `tax_amount` Nullable(Decimal(38, 10)),
    `discount_amount` Nullable(Decimal(38, 10)),
    `total_amount` Nullable(Decimal(38, 10)),
    `payment_method` LowCardinality(Nullable(String)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`owners`
(
    `id` String,
    `link_id` String,
    `display_name` Nullable(String),
    `company_name` Nullable(String),
    `document_type` LowCardinality(Nullable(String)),
    `document_number` Nullable(String),
    `email` Nullable(String),
    `phone_number` Nullable(String),
    `address` Nullable(String),
    `birth_date` Nullable(Date32),
    `incorporation_date` Nullable(Date32),
    `internal_identification` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`recurring_expenses`
(
    `id` String,
    `link_id` String,
    `account_id` Nullable(String),
    `account_category` LowCardinality(Nullable(String)),
    `currency` LowCardinality(Nullable(String)),
    `name` Nullable(String),
    `frequency` LowCardinality(Nullable(String)),
    `category` LowCardinality(Nullable(String)),
    `payment_type` LowCardinality(Nullable(String)),
    `average_transaction_amount` Nullable(Decimal(38, 10)),
    `median_transaction_amount` Nullable(Decimal(38, 10)),
    `days_since_last_transaction` Nullable(Int64),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`risk_insights`
(
    `id` String,
    `link_id` String,
    `checking_accounts_balance` Nullable(Decimal(38, 10)),
    `savings_accounts_balance` Nullable(Decimal(38, 10)),
    `closing_balance` Nullable(Decimal(38, 10)),
    `days_balance_below_0_1m` Nullable(Int64),
    `sum_credit_limit` Nullable(Decimal(38, 10)),
    `sum_credit_used` Nullable(Decimal(38, 10)),
    `credit_card_limit_utilization` Nullable(Float64),
    `sum_loans_outstanding_principal` Nullable(Decimal(38, 10)),
    `loan_limit_utilization` Nullable(Float64),
    `num_transactions_1m` Nullable(Int64),
    `sum_incoming_amount_1m` Nullable(Decimal(38, 10)),
    `sum_outgoing_amount_1m` Nullable(Decimal(38, 10)),
    `days_history` Nullable(Int64),
    `net_cashflow_1m` Nullable(Decimal(38, 10)),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`tax_compliance_status`
(
    `id` String,
    `link_id` String,
    `rfc` Nullable(String),
    `outcome` LowCardinality(Nullable(String)),
    `internal_identification` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`tax_retentions`
(
    `id` String,
    `link_id` String,
    `invoice_identification` Nullable(String),
    `code` Nullable(Int64),
    `issued_at` Nullable(DateTime64(6, 'UTC')),
    `certified_at` Nullable(DateTime64(6, 'UTC')),
    `cancelled_at` Nullable(DateTime64(6, 'UTC')),
    `sender_id` Nullable(String),
    `sender_name` Nullable(String),
    `receiver_id` Nullable(String),
    `receiver_name` Nullable(String),
    `receiver_nationality` LowCardinality(Nullable(String)),
    `total_invoice_amount` Nullable(Decimal(38, 10)),
    `total_taxable_amount` Nullable(Decimal(38, 10)),
    `total_exempt_amount` Nullable(Decimal(38, 10)),
    `total_retained_amount` Nullable(Decimal(38, 10)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`tax_returns`
(
    `id` String,
    `link_id` String,
    `type` LowCardinality(Nullable(String)),
    `rfc` Nullable(String),
    `ejercicio` Nullable(Int64),
    `periodo_declaracion` LowCardinality(Nullable(String)),
    `tipo_declaracion` LowCardinality(Nullable(String)),
    `numero_operacion` Nullable(String),
    `fecha_hora_presentacion` Nullable(DateTime64(6, 'UTC')),
    `nombre` Nullable(String),
    `denominacion_razon_social` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`tax_status`
(
    `id` String,
    `link_id` String,
    `official_name` Nullable(String),
    `id_cif` Nullable(String),
    `rfc` Nullable(String),
    `curp` Nullable(String),
    `status_padron` LowCardinality(Nullable(String)),
    `start_operations_date` Nullable(Date32),
    `last_status_change_date` Nullable(Date32),
    `postal_code` Nullable(String),
    `state` LowCardinality(Nullable(String)),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`transactions`
(
    `id` String,
    `link_id` String,
    `account_id` Nullable(String),
    `account_category` LowCardinality(Nullable(String)),
    `account_type` LowCardinality(Nullable(String)),
    `institution` LowCardinality(Nullable(String)),
    `value_date` Nullable(Date32),
    `accounting_date` Nullable(Date32),
    `amount` Nullable(Decimal(38, 10)),
    `balance` Nullable(Decimal(38, 10)),
    `currency` LowCardinality(Nullable(String)),
    `type` LowCardinality(Nullable(String)),
    `status` LowCardinality(Nullable(String)),
    `category` LowCardinality(Nullable(String)),
    `subcategory` LowCardinality(Nullable(String)),
    `description` Nullable(String),
    `merchant_name` Nullable(String),
    `collected_at` Nullable(DateTime64(6, 'UTC')),
    `created_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`link_events`
(
    `id` String,
    `link_id` String,
    `webhook_code` LowCardinality(Nullable(String)),
    `process_type` LowCardinality(Nullable(String)),
    `status` Nullable(String),
    `error_code` LowCardinality(Nullable(String)),
    `error_message` Nullable(String),
    `session` Nullable(String),
    `expiry` Nullable(Int64),
    `received_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`consent_events`
(
    `id` String,
    `link_id` String,
    `webhook_code` LowCardinality(Nullable(String)),
    `consent_id` Nullable(String),
    `action` LowCardinality(Nullable(String)),
    `institution` LowCardinality(Nullable(String)),
    `institution_display_name` Nullable(String),
    `consent_due_date` Nullable(DateTime64(6, 'UTC')),
    `message` Nullable(String),
    `received_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`error_events`
(
    `id` String,
    `link_id` String,
    `webhook_type` LowCardinality(Nullable(String)),
    `webhook_code` LowCardinality(Nullable(String)),
    `process_type` LowCardinality(Nullable(String)),
    `error_code` LowCardinality(Nullable(String)),
    `error_message` Nullable(String),
    `received_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`requests`
(
    `id` String,
    `link_id` String,
    `belvo_request_id` Nullable(String),
    `kind` LowCardinality(Nullable(String)),
    `resource` LowCardinality(Nullable(String)),
    `date_from` Nullable(Date32),
    `date_to` Nullable(Date32),
    `sent_at` Nullable(DateTime64(6, 'UTC')),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `belvo`.`reconciliations`
(
    `id` String,
    `link_id` String,
    `resource` LowCardinality(Nullable(String)),
    `webhook_code` LowCardinality(Nullable(String)),
    `announced` Nullable(Int64),
    `fetched` Nullable(Int64),
    `matched` Nullable(Bool),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),
    `topic` LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    `version` UInt64,
    `is_deleted` UInt8
)
ENGINE = ReplacingMergeTree(`version`, `is_deleted`)
ORDER BY (`link_id`, `id`)
SETTINGS non_replicated_deduplication_window = 1000;
