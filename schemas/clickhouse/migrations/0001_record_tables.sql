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
    `institution_type` LowCardinality(Nullable(String)),
    `overdraft_arranged` Nullable(Decimal(38, 10)),
    `overdraft_used` Nullable(Decimal(38, 10)),
    `overdraft_unarranged` Nullable(Decimal(38, 10)),
    `agency` Nullable(String),
    `check_digit` Nullable(String),
    `balance_blocked` Nullable(Decimal(38, 10)),
    `balance_automatically_invested` Nullable(Decimal(38, 10)),
    `public_identification_name` Nullable(String),
    `public_identification_value` Nullable(String),
    `credit_collected_at` Nullable(DateTime64(6, 'UTC')),
    `credit_cutting_date` Nullable(Date32),
    `credit_minimum_payment` Nullable(Decimal(38, 10)),
    `credit_network` LowCardinality(Nullable(String)),
    `credit_network_additional_info` Nullable(String),
    `credit_next_payment_date` Nullable(String),
    `credit_no_interest_payment` Nullable(Decimal(38, 10)),
    `credit_interest_rate` Nullable(Float64),
    `credit_monthly_payment` Nullable(Decimal(38, 10)),
    `credit_last_payment_date` Nullable(String),
    `loan_collected_at` Nullable(DateTime64(6, 'UTC')),
    `loan_code` Nullable(String),
    `loan_contract_amount` Nullable(Decimal(38, 10)),
    `loan_total_effective_cost` Nullable(Decimal(38, 10)),
    `loan_type` LowCardinality(Nullable(String)),
    `loan_outstanding_balance` Nullable(Decimal(38, 10)),
    `loan_installments_contract_term_frequency` LowCardinality(Nullable(String)),
    `loan_installment_frequency` LowCardinality(Nullable(String)),
    `loan_installment_frequency_info` Nullable(String),
    `loan_first_installment_due_date` Nullable(Date32),
    `loan_number_of_installments_total` Nullable(Int64),
    `loan_number_of_installments_outstanding` Nullable(Int64),
    `loan_number_of_installments_paid` Nullable(Int64),
    `loan_number_of_installments_past_due` Nullable(Int64),
    `loan_settlement_date` Nullable(String),
    `loan_contract_start_date` Nullable(Date32),
    `loan_contract_end_date` Nullable(Date32),
    `loan_contract_remaining_frequency` LowCardinality(Nullable(String)),
    `loan_contract_remaining_total` Nullable(Int64),
    `loan_amortization_schedule` LowCardinality(Nullable(String)),
    `loan_amortization_schedule_info` Nullable(String),
    `loan_consignee_id` Nullable(String),
    `loan_contract_number` Nullable(String),
    `loan_monthly_payment` Nullable(Decimal(38, 10)),
    `loan_principal` Nullable(Decimal(38, 10)),
    `loan_payment_day` Nullable(String),
    `loan_outstanding_principal` Nullable(Decimal(38, 10)),
    `loan_credit_limit` Nullable(Decimal(38, 10)),
    `loan_last_period_balance` Nullable(Decimal(38, 10)),
    `loan_interest_rate` Nullable(Float64),
    `loan_limit_day` Nullable(String),
    `loan_cutting_day` Nullable(String),
    `loan_cutting_date` Nullable(String),
    `loan_last_payment_date` Nullable(String),
    `loan_no_interest_payment` Nullable(Decimal(38, 10)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`accounts`
    ADD COLUMN IF NOT EXISTS `institution` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `category` LowCardinality(Nullable(String)) AFTER `institution`,
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `category`,
    ADD COLUMN IF NOT EXISTS `subtype` LowCardinality(Nullable(String)) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `balance_type` LowCardinality(Nullable(String)) AFTER `subtype`,
    ADD COLUMN IF NOT EXISTS `name` Nullable(String) AFTER `balance_type`,
    ADD COLUMN IF NOT EXISTS `number` Nullable(String) AFTER `name`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `number`,
    ADD COLUMN IF NOT EXISTS `balance_current` Nullable(Decimal(38, 10)) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `balance_available` Nullable(Decimal(38, 10)) AFTER `balance_current`,
    ADD COLUMN IF NOT EXISTS `credit_limit` Nullable(Decimal(38, 10)) AFTER `balance_available`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `credit_limit`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `last_accessed_at` Nullable(DateTime64(6, 'UTC')) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `institution_type` LowCardinality(Nullable(String)) AFTER `last_accessed_at`,
    ADD COLUMN IF NOT EXISTS `overdraft_arranged` Nullable(Decimal(38, 10)) AFTER `institution_type`,
    ADD COLUMN IF NOT EXISTS `overdraft_used` Nullable(Decimal(38, 10)) AFTER `overdraft_arranged`,
    ADD COLUMN IF NOT EXISTS `overdraft_unarranged` Nullable(Decimal(38, 10)) AFTER `overdraft_used`,
    ADD COLUMN IF NOT EXISTS `agency` Nullable(String) AFTER `overdraft_unarranged`,
    ADD COLUMN IF NOT EXISTS `check_digit` Nullable(String) AFTER `agency`,
    ADD COLUMN IF NOT EXISTS `balance_blocked` Nullable(Decimal(38, 10)) AFTER `check_digit`,
    ADD COLUMN IF NOT EXISTS `balance_automatically_invested` Nullable(Decimal(38, 10)) AFTER `balance_blocked`,
    ADD COLUMN IF NOT EXISTS `public_identification_name` Nullable(String) AFTER `balance_automatically_invested`,
    ADD COLUMN IF NOT EXISTS `public_identification_value` Nullable(String) AFTER `public_identification_name`,
    ADD COLUMN IF NOT EXISTS `credit_collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `public_identification_value`,
    ADD COLUMN IF NOT EXISTS `credit_cutting_date` Nullable(Date32) AFTER `credit_collected_at`,
    ADD COLUMN IF NOT EXISTS `credit_minimum_payment` Nullable(Decimal(38, 10)) AFTER `credit_cutting_date`,
    ADD COLUMN IF NOT EXISTS `credit_network` LowCardinality(Nullable(String)) AFTER `credit_minimum_payment`,
    ADD COLUMN IF NOT EXISTS `credit_network_additional_info` Nullable(String) AFTER `credit_network`,
    ADD COLUMN IF NOT EXISTS `credit_next_payment_date` Nullable(String) AFTER `credit_network_additional_info`,
    ADD COLUMN IF NOT EXISTS `credit_no_interest_payment` Nullable(Decimal(38, 10)) AFTER `credit_next_payment_date`,
    ADD COLUMN IF NOT EXISTS `credit_interest_rate` Nullable(Float64) AFTER `credit_no_interest_payment`,
    ADD COLUMN IF NOT EXISTS `credit_monthly_payment` Nullable(Decimal(38, 10)) AFTER `credit_interest_rate`,
    ADD COLUMN IF NOT EXISTS `credit_last_payment_date` Nullable(String) AFTER `credit_monthly_payment`,
    ADD COLUMN IF NOT EXISTS `loan_collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `credit_last_payment_date`,
    ADD COLUMN IF NOT EXISTS `loan_code` Nullable(String) AFTER `loan_collected_at`,
    ADD COLUMN IF NOT EXISTS `loan_contract_amount` Nullable(Decimal(38, 10)) AFTER `loan_code`,
    ADD COLUMN IF NOT EXISTS `loan_total_effective_cost` Nullable(Decimal(38, 10)) AFTER `loan_contract_amount`,
    ADD COLUMN IF NOT EXISTS `loan_type` LowCardinality(Nullable(String)) AFTER `loan_total_effective_cost`,
    ADD COLUMN IF NOT EXISTS `loan_outstanding_balance` Nullable(Decimal(38, 10)) AFTER `loan_type`,
    ADD COLUMN IF NOT EXISTS `loan_installments_contract_term_frequency` LowCardinality(Nullable(String)) AFTER `loan_outstanding_balance`,
    ADD COLUMN IF NOT EXISTS `loan_installment_frequency` LowCardinality(Nullable(String)) AFTER `loan_installments_contract_term_frequency`,
    ADD COLUMN IF NOT EXISTS `loan_installment_frequency_info` Nullable(String) AFTER `loan_installment_frequency`,
    ADD COLUMN IF NOT EXISTS `loan_first_installment_due_date` Nullable(Date32) AFTER `loan_installment_frequency_info`,
    ADD COLUMN IF NOT EXISTS `loan_number_of_installments_total` Nullable(Int64) AFTER `loan_first_installment_due_date`,
    ADD COLUMN IF NOT EXISTS `loan_number_of_installments_outstanding` Nullable(Int64) AFTER `loan_number_of_installments_total`,
    ADD COLUMN IF NOT EXISTS `loan_number_of_installments_paid` Nullable(Int64) AFTER `loan_number_of_installments_outstanding`,
    ADD COLUMN IF NOT EXISTS `loan_number_of_installments_past_due` Nullable(Int64) AFTER `loan_number_of_installments_paid`,
    ADD COLUMN IF NOT EXISTS `loan_settlement_date` Nullable(String) AFTER `loan_number_of_installments_past_due`,
    ADD COLUMN IF NOT EXISTS `loan_contract_start_date` Nullable(Date32) AFTER `loan_settlement_date`,
    ADD COLUMN IF NOT EXISTS `loan_contract_end_date` Nullable(Date32) AFTER `loan_contract_start_date`,
    ADD COLUMN IF NOT EXISTS `loan_contract_remaining_frequency` LowCardinality(Nullable(String)) AFTER `loan_contract_end_date`,
    ADD COLUMN IF NOT EXISTS `loan_contract_remaining_total` Nullable(Int64) AFTER `loan_contract_remaining_frequency`,
    ADD COLUMN IF NOT EXISTS `loan_amortization_schedule` LowCardinality(Nullable(String)) AFTER `loan_contract_remaining_total`,
    ADD COLUMN IF NOT EXISTS `loan_amortization_schedule_info` Nullable(String) AFTER `loan_amortization_schedule`,
    ADD COLUMN IF NOT EXISTS `loan_consignee_id` Nullable(String) AFTER `loan_amortization_schedule_info`,
    ADD COLUMN IF NOT EXISTS `loan_contract_number` Nullable(String) AFTER `loan_consignee_id`,
    ADD COLUMN IF NOT EXISTS `loan_monthly_payment` Nullable(Decimal(38, 10)) AFTER `loan_contract_number`,
    ADD COLUMN IF NOT EXISTS `loan_principal` Nullable(Decimal(38, 10)) AFTER `loan_monthly_payment`,
    ADD COLUMN IF NOT EXISTS `loan_payment_day` Nullable(String) AFTER `loan_principal`,
    ADD COLUMN IF NOT EXISTS `loan_outstanding_principal` Nullable(Decimal(38, 10)) AFTER `loan_payment_day`,
    ADD COLUMN IF NOT EXISTS `loan_credit_limit` Nullable(Decimal(38, 10)) AFTER `loan_outstanding_principal`,
    ADD COLUMN IF NOT EXISTS `loan_last_period_balance` Nullable(Decimal(38, 10)) AFTER `loan_credit_limit`,
    ADD COLUMN IF NOT EXISTS `loan_interest_rate` Nullable(Float64) AFTER `loan_last_period_balance`,
    ADD COLUMN IF NOT EXISTS `loan_limit_day` Nullable(String) AFTER `loan_interest_rate`,
    ADD COLUMN IF NOT EXISTS `loan_cutting_day` Nullable(String) AFTER `loan_limit_day`,
    ADD COLUMN IF NOT EXISTS `loan_cutting_date` Nullable(String) AFTER `loan_cutting_day`,
    ADD COLUMN IF NOT EXISTS `loan_last_payment_date` Nullable(String) AFTER `loan_cutting_date`,
    ADD COLUMN IF NOT EXISTS `loan_no_interest_payment` Nullable(Decimal(38, 10)) AFTER `loan_last_payment_date`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `loan_no_interest_payment`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`bills`
    ADD COLUMN IF NOT EXISTS `account_id` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `bill_name` Nullable(String) AFTER `account_id`,
    ADD COLUMN IF NOT EXISTS `due_date` Nullable(Date32) AFTER `bill_name`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `due_date`,
    ADD COLUMN IF NOT EXISTS `total_amount` Nullable(Decimal(38, 10)) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `minimum_amount` Nullable(Decimal(38, 10)) AFTER `total_amount`,
    ADD COLUMN IF NOT EXISTS `is_installment` Nullable(Bool) AFTER `minimum_amount`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `is_installment`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `first_name` Nullable(String),
    `last_name` Nullable(String),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`current_employments`
    ADD COLUMN IF NOT EXISTS `month` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `status` LowCardinality(Nullable(String)) AFTER `month`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `status`,
    ADD COLUMN IF NOT EXISTS `official_name` Nullable(String) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `birth_date` Nullable(Date32) AFTER `official_name`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `birth_date`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `first_name` Nullable(String) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `last_name` Nullable(String) AFTER `first_name`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `last_name`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `weeks_employed_last_job` Nullable(Float64),
    `weeks_with_multiple_employers` Nullable(Float64),
    `employers_per_year` Nullable(Float64),
    `weeks_between_jobs` Nullable(Float64),
    `max_weeks_between_jobs` Nullable(Float64),
    `increases_last_job` Nullable(Int64),
    `decreases_last_job` Nullable(Int64),
    `increases_after_change` Nullable(Int64),
    `decreases_after_change` Nullable(Int64),
    `increases_overall` Nullable(Int64),
    `decreases_overall` Nullable(Int64),
    `increases_1y` Nullable(Int64),
    `decreases_1y` Nullable(Int64),
    `increases_3y` Nullable(Int64),
    `decreases_3y` Nullable(Int64),
    `increases_5y` Nullable(Int64),
    `decreases_5y` Nullable(Int64),
    `yearly_change_3y` Nullable(Float64),
    `yearly_change_5y` Nullable(Float64),
    `min_monthly_salary_1y` Nullable(Decimal(38, 10)),
    `min_monthly_salary_3y` Nullable(Decimal(38, 10)),
    `min_monthly_salary_5y` Nullable(Decimal(38, 10)),
    `max_monthly_salary_1y` Nullable(Decimal(38, 10)),
    `max_monthly_salary_3y` Nullable(Decimal(38, 10)),
    `max_monthly_salary_5y` Nullable(Decimal(38, 10)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`employment_metrics`
    ADD COLUMN IF NOT EXISTS `reference_date` Nullable(Date32) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `current_status` LowCardinality(Nullable(String)) AFTER `reference_date`,
    ADD COLUMN IF NOT EXISTS `age` Nullable(Int64) AFTER `current_status`,
    ADD COLUMN IF NOT EXISTS `current_employer_count` Nullable(Int64) AFTER `age`,
    ADD COLUMN IF NOT EXISTS `employer_count` Nullable(Int64) AFTER `current_employer_count`,
    ADD COLUMN IF NOT EXISTS `unique_employer_count` Nullable(Int64) AFTER `employer_count`,
    ADD COLUMN IF NOT EXISTS `weeks_employed_total` Nullable(Float64) AFTER `unique_employer_count`,
    ADD COLUMN IF NOT EXISTS `weeks_since_last_job` Nullable(Float64) AFTER `weeks_employed_total`,
    ADD COLUMN IF NOT EXISTS `base_salary_last` Nullable(Decimal(38, 10)) AFTER `weeks_since_last_job`,
    ADD COLUMN IF NOT EXISTS `average_monthly_salary_1y` Nullable(Decimal(38, 10)) AFTER `base_salary_last`,
    ADD COLUMN IF NOT EXISTS `average_monthly_salary_3y` Nullable(Decimal(38, 10)) AFTER `average_monthly_salary_1y`,
    ADD COLUMN IF NOT EXISTS `average_monthly_salary_5y` Nullable(Decimal(38, 10)) AFTER `average_monthly_salary_3y`,
    ADD COLUMN IF NOT EXISTS `yearly_change_1y` Nullable(Float64) AFTER `average_monthly_salary_5y`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `yearly_change_1y`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `updated_at` Nullable(DateTime64(6, 'UTC')) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `weeks_employed_last_job` Nullable(Float64) AFTER `updated_at`,
    ADD COLUMN IF NOT EXISTS `weeks_with_multiple_employers` Nullable(Float64) AFTER `weeks_employed_last_job`,
    ADD COLUMN IF NOT EXISTS `employers_per_year` Nullable(Float64) AFTER `weeks_with_multiple_employers`,
    ADD COLUMN IF NOT EXISTS `weeks_between_jobs` Nullable(Float64) AFTER `employers_per_year`,
    ADD COLUMN IF NOT EXISTS `max_weeks_between_jobs` Nullable(Float64) AFTER `weeks_between_jobs`,
    ADD COLUMN IF NOT EXISTS `increases_last_job` Nullable(Int64) AFTER `max_weeks_between_jobs`,
    ADD COLUMN IF NOT EXISTS `decreases_last_job` Nullable(Int64) AFTER `increases_last_job`,
    ADD COLUMN IF NOT EXISTS `increases_after_change` Nullable(Int64) AFTER `decreases_last_job`,
    ADD COLUMN IF NOT EXISTS `decreases_after_change` Nullable(Int64) AFTER `increases_after_change`,
    ADD COLUMN IF NOT EXISTS `increases_overall` Nullable(Int64) AFTER `decreases_after_change`,
    ADD COLUMN IF NOT EXISTS `decreases_overall` Nullable(Int64) AFTER `increases_overall`,
    ADD COLUMN IF NOT EXISTS `increases_1y` Nullable(Int64) AFTER `decreases_overall`,
    ADD COLUMN IF NOT EXISTS `decreases_1y` Nullable(Int64) AFTER `increases_1y`,
    ADD COLUMN IF NOT EXISTS `increases_3y` Nullable(Int64) AFTER `decreases_1y`,
    ADD COLUMN IF NOT EXISTS `decreases_3y` Nullable(Int64) AFTER `increases_3y`,
    ADD COLUMN IF NOT EXISTS `increases_5y` Nullable(Int64) AFTER `decreases_3y`,
    ADD COLUMN IF NOT EXISTS `decreases_5y` Nullable(Int64) AFTER `increases_5y`,
    ADD COLUMN IF NOT EXISTS `yearly_change_3y` Nullable(Float64) AFTER `decreases_5y`,
    ADD COLUMN IF NOT EXISTS `yearly_change_5y` Nullable(Float64) AFTER `yearly_change_3y`,
    ADD COLUMN IF NOT EXISTS `min_monthly_salary_1y` Nullable(Decimal(38, 10)) AFTER `yearly_change_5y`,
    ADD COLUMN IF NOT EXISTS `min_monthly_salary_3y` Nullable(Decimal(38, 10)) AFTER `min_monthly_salary_1y`,
    ADD COLUMN IF NOT EXISTS `min_monthly_salary_5y` Nullable(Decimal(38, 10)) AFTER `min_monthly_salary_3y`,
    ADD COLUMN IF NOT EXISTS `max_monthly_salary_1y` Nullable(Decimal(38, 10)) AFTER `min_monthly_salary_5y`,
    ADD COLUMN IF NOT EXISTS `max_monthly_salary_3y` Nullable(Decimal(38, 10)) AFTER `max_monthly_salary_1y`,
    ADD COLUMN IF NOT EXISTS `max_monthly_salary_5y` Nullable(Decimal(38, 10)) AFTER `max_monthly_salary_3y`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `max_monthly_salary_5y`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `first_name` Nullable(String),
    `last_name` Nullable(String),
    `birth_date` Nullable(Date32),
    `email` Nullable(String),
    `weeks_redeemed` Nullable(Int64),
    `weeks_reinstated` Nullable(Int64),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`employment_records`
    ADD COLUMN IF NOT EXISTS `report_date` Nullable(Date32) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `days_since_extraction` Nullable(Int64) AFTER `report_date`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `days_since_extraction`,
    ADD COLUMN IF NOT EXISTS `official_name` Nullable(String) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `weeks_contributed` Nullable(Int64) AFTER `official_name`,
    ADD COLUMN IF NOT EXISTS `employment_status_estimate` LowCardinality(Nullable(String)) AFTER `weeks_contributed`,
    ADD COLUMN IF NOT EXISTS `base_salary_estimate` Nullable(Decimal(38, 10)) AFTER `employment_status_estimate`,
    ADD COLUMN IF NOT EXISTS `salary_currency` LowCardinality(Nullable(String)) AFTER `base_salary_estimate`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `salary_currency`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `first_name` Nullable(String) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `last_name` Nullable(String) AFTER `first_name`,
    ADD COLUMN IF NOT EXISTS `birth_date` Nullable(Date32) AFTER `last_name`,
    ADD COLUMN IF NOT EXISTS `email` Nullable(String) AFTER `birth_date`,
    ADD COLUMN IF NOT EXISTS `weeks_redeemed` Nullable(Int64) AFTER `email`,
    ADD COLUMN IF NOT EXISTS `weeks_reinstated` Nullable(Int64) AFTER `weeks_redeemed`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `weeks_reinstated`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`employments`
    ADD COLUMN IF NOT EXISTS `start_date` Nullable(Date32) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `end_date` Nullable(Date32) AFTER `start_date`,
    ADD COLUMN IF NOT EXISTS `employer_name` Nullable(String) AFTER `end_date`,
    ADD COLUMN IF NOT EXISTS `employer_code` Nullable(String) AFTER `employer_name`,
    ADD COLUMN IF NOT EXISTS `economic_activity` Nullable(String) AFTER `employer_code`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `economic_activity`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `domestic_sales` Nullable(Decimal(38, 10)),
    `foreign_sales` Nullable(Decimal(38, 10)),
    `materials_used` Nullable(Decimal(38, 10)),
    `cost_of_goods_sold` Nullable(Decimal(38, 10)),
    `cost_of_services_sold` Nullable(Decimal(38, 10)),
    `gross_loss` Nullable(Decimal(38, 10)),
    `operating_expenses` Nullable(Decimal(38, 10)),
    `operating_loss` Nullable(Decimal(38, 10)),
    `financial_result` Nullable(Decimal(38, 10)),
    `income_statement_financial_gains` Nullable(Decimal(38, 10)),
    `income_statement_financial_costs` Nullable(Decimal(38, 10)),
    `equity_in_earnings_of_affiliates` Nullable(Decimal(38, 10)),
    `loss_before_taxes` Nullable(Decimal(38, 10)),
    `income_taxes` Nullable(Decimal(38, 10)),
    `income_from_continuing_operations` Nullable(Float64),
    `loss_from_continuing_operations` Nullable(Float64),
    `discontinued_operations` Nullable(Float64),
    `net_loss` Nullable(Decimal(38, 10)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`financial_statements`
    ADD COLUMN IF NOT EXISTS `year` Nullable(Int64) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `year`,
    ADD COLUMN IF NOT EXISTS `error` Nullable(String) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `current_assets_total` Nullable(Decimal(38, 10)) AFTER `error`,
    ADD COLUMN IF NOT EXISTS `non_current_assets_total` Nullable(Decimal(38, 10)) AFTER `current_assets_total`,
    ADD COLUMN IF NOT EXISTS `current_liabilities_total` Nullable(Decimal(38, 10)) AFTER `non_current_assets_total`,
    ADD COLUMN IF NOT EXISTS `non_current_liabilities_total` Nullable(Decimal(38, 10)) AFTER `current_liabilities_total`,
    ADD COLUMN IF NOT EXISTS `equity_total` Nullable(Decimal(38, 10)) AFTER `non_current_liabilities_total`,
    ADD COLUMN IF NOT EXISTS `net_revenue` Nullable(Decimal(38, 10)) AFTER `equity_total`,
    ADD COLUMN IF NOT EXISTS `gross_profit` Nullable(Decimal(38, 10)) AFTER `net_revenue`,
    ADD COLUMN IF NOT EXISTS `operating_income` Nullable(Decimal(38, 10)) AFTER `gross_profit`,
    ADD COLUMN IF NOT EXISTS `income_before_taxes` Nullable(Decimal(38, 10)) AFTER `operating_income`,
    ADD COLUMN IF NOT EXISTS `net_income` Nullable(Decimal(38, 10)) AFTER `income_before_taxes`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `net_income`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `domestic_sales` Nullable(Decimal(38, 10)) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `foreign_sales` Nullable(Decimal(38, 10)) AFTER `domestic_sales`,
    ADD COLUMN IF NOT EXISTS `materials_used` Nullable(Decimal(38, 10)) AFTER `foreign_sales`,
    ADD COLUMN IF NOT EXISTS `cost_of_goods_sold` Nullable(Decimal(38, 10)) AFTER `materials_used`,
    ADD COLUMN IF NOT EXISTS `cost_of_services_sold` Nullable(Decimal(38, 10)) AFTER `cost_of_goods_sold`,
    ADD COLUMN IF NOT EXISTS `gross_loss` Nullable(Decimal(38, 10)) AFTER `cost_of_services_sold`,
    ADD COLUMN IF NOT EXISTS `operating_expenses` Nullable(Decimal(38, 10)) AFTER `gross_loss`,
    ADD COLUMN IF NOT EXISTS `operating_loss` Nullable(Decimal(38, 10)) AFTER `operating_expenses`,
    ADD COLUMN IF NOT EXISTS `financial_result` Nullable(Decimal(38, 10)) AFTER `operating_loss`,
    ADD COLUMN IF NOT EXISTS `income_statement_financial_gains` Nullable(Decimal(38, 10)) AFTER `financial_result`,
    ADD COLUMN IF NOT EXISTS `income_statement_financial_costs` Nullable(Decimal(38, 10)) AFTER `income_statement_financial_gains`,
    ADD COLUMN IF NOT EXISTS `equity_in_earnings_of_affiliates` Nullable(Decimal(38, 10)) AFTER `income_statement_financial_costs`,
    ADD COLUMN IF NOT EXISTS `loss_before_taxes` Nullable(Decimal(38, 10)) AFTER `equity_in_earnings_of_affiliates`,
    ADD COLUMN IF NOT EXISTS `income_taxes` Nullable(Decimal(38, 10)) AFTER `loss_before_taxes`,
    ADD COLUMN IF NOT EXISTS `income_from_continuing_operations` Nullable(Float64) AFTER `income_taxes`,
    ADD COLUMN IF NOT EXISTS `loss_from_continuing_operations` Nullable(Float64) AFTER `income_from_continuing_operations`,
    ADD COLUMN IF NOT EXISTS `discontinued_operations` Nullable(Float64) AFTER `loss_from_continuing_operations`,
    ADD COLUMN IF NOT EXISTS `net_loss` Nullable(Decimal(38, 10)) AFTER `discontinued_operations`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `net_loss`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `monthly_average_low_confidence` Nullable(Float64),
    `monthly_average_medium_confidence` Nullable(Float64),
    `monthly_average_high_confidence` Nullable(Float64),
    `total_low_confidence` Nullable(Float64),
    `total_medium_confidence` Nullable(Float64),
    `total_high_confidence` Nullable(Float64),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`incomes`
    ADD COLUMN IF NOT EXISTS `income_source_type` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `first_transaction_date` Nullable(Date32) AFTER `income_source_type`,
    ADD COLUMN IF NOT EXISTS `last_transaction_date` Nullable(Date32) AFTER `first_transaction_date`,
    ADD COLUMN IF NOT EXISTS `number_of_income_streams` Nullable(Int64) AFTER `last_transaction_date`,
    ADD COLUMN IF NOT EXISTS `best_working_day_to_charge` Nullable(Int64) AFTER `number_of_income_streams`,
    ADD COLUMN IF NOT EXISTS `monthly_average` Nullable(Decimal(38, 10)) AFTER `best_working_day_to_charge`,
    ADD COLUMN IF NOT EXISTS `monthly_average_regular` Nullable(Decimal(38, 10)) AFTER `monthly_average`,
    ADD COLUMN IF NOT EXISTS `monthly_average_irregular` Nullable(Decimal(38, 10)) AFTER `monthly_average_regular`,
    ADD COLUMN IF NOT EXISTS `total_income_amount` Nullable(Decimal(38, 10)) AFTER `monthly_average_irregular`,
    ADD COLUMN IF NOT EXISTS `total_regular_income_amount` Nullable(Decimal(38, 10)) AFTER `total_income_amount`,
    ADD COLUMN IF NOT EXISTS `total_irregular_income_amount` Nullable(Decimal(38, 10)) AFTER `total_regular_income_amount`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `total_irregular_income_amount`,
    ADD COLUMN IF NOT EXISTS `monthly_average_low_confidence` Nullable(Float64) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `monthly_average_medium_confidence` Nullable(Float64) AFTER `monthly_average_low_confidence`,
    ADD COLUMN IF NOT EXISTS `monthly_average_high_confidence` Nullable(Float64) AFTER `monthly_average_medium_confidence`,
    ADD COLUMN IF NOT EXISTS `total_low_confidence` Nullable(Float64) AFTER `monthly_average_high_confidence`,
    ADD COLUMN IF NOT EXISTS `total_medium_confidence` Nullable(Float64) AFTER `total_low_confidence`,
    ADD COLUMN IF NOT EXISTS `total_high_confidence` Nullable(Float64) AFTER `total_medium_confidence`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `total_high_confidence`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `price_factor` Nullable(Float64),
    `transaction_tax` Nullable(Decimal(38, 10)),
    `subtype_additional_info` Nullable(String),
    `indexer_percentage` Nullable(Float64),
    `rate` Nullable(Float64),
    `exit_fee` Nullable(Decimal(38, 10)),
    `broker_note_number` Nullable(String),
    `broker_gross_value` Nullable(Decimal(38, 10)),
    `broker_brokerage_fee` Nullable(Decimal(38, 10)),
    `broker_clearing_settlement_fee` Nullable(Decimal(38, 10)),
    `broker_clearing_registration_fee` Nullable(Float64),
    `broker_stock_exchange_asset_trade_notice_fee` Nullable(Decimal(38, 10)),
    `broker_stock_exchange_fee` Nullable(Decimal(38, 10)),
    `broker_clearing_custody_fee` Nullable(Decimal(38, 10)),
    `broker_taxes` Nullable(Decimal(38, 10)),
    `broker_income_tax` Nullable(Decimal(38, 10)),
    `broker_net_value` Nullable(Decimal(38, 10)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`investment_transactions`
    ADD COLUMN IF NOT EXISTS `investment_id` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `investment_type` LowCardinality(Nullable(String)) AFTER `investment_id`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `investment_type`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `value_date` Nullable(Date32) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `value_date`,
    ADD COLUMN IF NOT EXISTS `subtype` LowCardinality(Nullable(String)) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `quantity` Nullable(Float64) AFTER `subtype`,
    ADD COLUMN IF NOT EXISTS `unit_price` Nullable(Decimal(38, 10)) AFTER `quantity`,
    ADD COLUMN IF NOT EXISTS `gross_value` Nullable(Decimal(38, 10)) AFTER `unit_price`,
    ADD COLUMN IF NOT EXISTS `net_value` Nullable(Decimal(38, 10)) AFTER `gross_value`,
    ADD COLUMN IF NOT EXISTS `value` Nullable(Decimal(38, 10)) AFTER `net_value`,
    ADD COLUMN IF NOT EXISTS `income_tax` Nullable(Decimal(38, 10)) AFTER `value`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `income_tax`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `price_factor` Nullable(Float64) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `transaction_tax` Nullable(Decimal(38, 10)) AFTER `price_factor`,
    ADD COLUMN IF NOT EXISTS `subtype_additional_info` Nullable(String) AFTER `transaction_tax`,
    ADD COLUMN IF NOT EXISTS `indexer_percentage` Nullable(Float64) AFTER `subtype_additional_info`,
    ADD COLUMN IF NOT EXISTS `rate` Nullable(Float64) AFTER `indexer_percentage`,
    ADD COLUMN IF NOT EXISTS `exit_fee` Nullable(Decimal(38, 10)) AFTER `rate`,
    ADD COLUMN IF NOT EXISTS `broker_note_number` Nullable(String) AFTER `exit_fee`,
    ADD COLUMN IF NOT EXISTS `broker_gross_value` Nullable(Decimal(38, 10)) AFTER `broker_note_number`,
    ADD COLUMN IF NOT EXISTS `broker_brokerage_fee` Nullable(Decimal(38, 10)) AFTER `broker_gross_value`,
    ADD COLUMN IF NOT EXISTS `broker_clearing_settlement_fee` Nullable(Decimal(38, 10)) AFTER `broker_brokerage_fee`,
    ADD COLUMN IF NOT EXISTS `broker_clearing_registration_fee` Nullable(Float64) AFTER `broker_clearing_settlement_fee`,
    ADD COLUMN IF NOT EXISTS `broker_stock_exchange_asset_trade_notice_fee` Nullable(Decimal(38, 10)) AFTER `broker_clearing_registration_fee`,
    ADD COLUMN IF NOT EXISTS `broker_stock_exchange_fee` Nullable(Decimal(38, 10)) AFTER `broker_stock_exchange_asset_trade_notice_fee`,
    ADD COLUMN IF NOT EXISTS `broker_clearing_custody_fee` Nullable(Decimal(38, 10)) AFTER `broker_stock_exchange_fee`,
    ADD COLUMN IF NOT EXISTS `broker_taxes` Nullable(Decimal(38, 10)) AFTER `broker_clearing_custody_fee`,
    ADD COLUMN IF NOT EXISTS `broker_income_tax` Nullable(Decimal(38, 10)) AFTER `broker_taxes`,
    ADD COLUMN IF NOT EXISTS `broker_net_value` Nullable(Decimal(38, 10)) AFTER `broker_income_tax`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `broker_net_value`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `clearing_code` Nullable(String),
    `grace_period_date` Nullable(Date32),
    `issue_unit_price` Nullable(Decimal(38, 10)),
    `balance_blocked_amount` Nullable(Decimal(38, 10)),
    `balance_gross_unit_price` Nullable(Decimal(38, 10)),
    `balance_withheld_amount` Nullable(Decimal(38, 10)),
    `balance_transaction_fee` Nullable(Decimal(38, 10)),
    `balance_purchase_unit_price` Nullable(Decimal(38, 10)),
    `balance_pre_fixed_rate` Nullable(Float64),
    `balance_post_fixed_rate` Nullable(Float64),
    `balance_penalty_fee` Nullable(Decimal(38, 10)),
    `balance_late_payment_fee` Nullable(Decimal(38, 10)),
    `balance_closing_price` Nullable(Decimal(38, 10)),
    `balance_unit_price_factor` Nullable(Float64),
    `remuneration_post_fixed_rate` Nullable(Float64),
    `rate_type` LowCardinality(Nullable(String)),
    `rate_periodicity` LowCardinality(Nullable(String)),
    `calculation_base` LowCardinality(Nullable(String)),
    `indexer_additional_info` Nullable(String),
    `class` LowCardinality(Nullable(String)),
    `subclass` LowCardinality(Nullable(String)),
    `is_voucher_payment` Nullable(Bool),
    `voucher_periodicity` LowCardinality(Nullable(String)),
    `voucher_periodicity_additional_info` Nullable(String),
    `debtor_name` Nullable(String),
    `debtor_id_document_number` Nullable(String),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`investments`
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `category` LowCardinality(Nullable(String)) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `product_name` Nullable(String) AFTER `category`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `product_name`,
    ADD COLUMN IF NOT EXISTS `isin_number` Nullable(String) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `issuer_id_number` Nullable(String) AFTER `isin_number`,
    ADD COLUMN IF NOT EXISTS `is_tax_exempt` Nullable(Bool) AFTER `issuer_id_number`,
    ADD COLUMN IF NOT EXISTS `issue_date` Nullable(Date32) AFTER `is_tax_exempt`,
    ADD COLUMN IF NOT EXISTS `purchase_date` Nullable(Date32) AFTER `issue_date`,
    ADD COLUMN IF NOT EXISTS `due_date` Nullable(Date32) AFTER `purchase_date`,
    ADD COLUMN IF NOT EXISTS `balance_reference_date` Nullable(DateTime64(6, 'UTC')) AFTER `due_date`,
    ADD COLUMN IF NOT EXISTS `balance_gross_value` Nullable(Decimal(38, 10)) AFTER `balance_reference_date`,
    ADD COLUMN IF NOT EXISTS `balance_net_value` Nullable(Decimal(38, 10)) AFTER `balance_gross_value`,
    ADD COLUMN IF NOT EXISTS `balance_quantity` Nullable(Float64) AFTER `balance_net_value`,
    ADD COLUMN IF NOT EXISTS `indexer` LowCardinality(Nullable(String)) AFTER `balance_quantity`,
    ADD COLUMN IF NOT EXISTS `pre_fixed_rate` Nullable(Float64) AFTER `indexer`,
    ADD COLUMN IF NOT EXISTS `clearing_code` Nullable(String) AFTER `pre_fixed_rate`,
    ADD COLUMN IF NOT EXISTS `grace_period_date` Nullable(Date32) AFTER `clearing_code`,
    ADD COLUMN IF NOT EXISTS `issue_unit_price` Nullable(Decimal(38, 10)) AFTER `grace_period_date`,
    ADD COLUMN IF NOT EXISTS `balance_blocked_amount` Nullable(Decimal(38, 10)) AFTER `issue_unit_price`,
    ADD COLUMN IF NOT EXISTS `balance_gross_unit_price` Nullable(Decimal(38, 10)) AFTER `balance_blocked_amount`,
    ADD COLUMN IF NOT EXISTS `balance_withheld_amount` Nullable(Decimal(38, 10)) AFTER `balance_gross_unit_price`,
    ADD COLUMN IF NOT EXISTS `balance_transaction_fee` Nullable(Decimal(38, 10)) AFTER `balance_withheld_amount`,
    ADD COLUMN IF NOT EXISTS `balance_purchase_unit_price` Nullable(Decimal(38, 10)) AFTER `balance_transaction_fee`,
    ADD COLUMN IF NOT EXISTS `balance_pre_fixed_rate` Nullable(Float64) AFTER `balance_purchase_unit_price`,
    ADD COLUMN IF NOT EXISTS `balance_post_fixed_rate` Nullable(Float64) AFTER `balance_pre_fixed_rate`,
    ADD COLUMN IF NOT EXISTS `balance_penalty_fee` Nullable(Decimal(38, 10)) AFTER `balance_post_fixed_rate`,
    ADD COLUMN IF NOT EXISTS `balance_late_payment_fee` Nullable(Decimal(38, 10)) AFTER `balance_penalty_fee`,
    ADD COLUMN IF NOT EXISTS `balance_closing_price` Nullable(Decimal(38, 10)) AFTER `balance_late_payment_fee`,
    ADD COLUMN IF NOT EXISTS `balance_unit_price_factor` Nullable(Float64) AFTER `balance_closing_price`,
    ADD COLUMN IF NOT EXISTS `remuneration_post_fixed_rate` Nullable(Float64) AFTER `balance_unit_price_factor`,
    ADD COLUMN IF NOT EXISTS `rate_type` LowCardinality(Nullable(String)) AFTER `remuneration_post_fixed_rate`,
    ADD COLUMN IF NOT EXISTS `rate_periodicity` LowCardinality(Nullable(String)) AFTER `rate_type`,
    ADD COLUMN IF NOT EXISTS `calculation_base` LowCardinality(Nullable(String)) AFTER `rate_periodicity`,
    ADD COLUMN IF NOT EXISTS `indexer_additional_info` Nullable(String) AFTER `calculation_base`,
    ADD COLUMN IF NOT EXISTS `class` LowCardinality(Nullable(String)) AFTER `indexer_additional_info`,
    ADD COLUMN IF NOT EXISTS `subclass` LowCardinality(Nullable(String)) AFTER `class`,
    ADD COLUMN IF NOT EXISTS `is_voucher_payment` Nullable(Bool) AFTER `subclass`,
    ADD COLUMN IF NOT EXISTS `voucher_periodicity` LowCardinality(Nullable(String)) AFTER `is_voucher_payment`,
    ADD COLUMN IF NOT EXISTS `voucher_periodicity_additional_info` Nullable(String) AFTER `voucher_periodicity`,
    ADD COLUMN IF NOT EXISTS `debtor_name` Nullable(String) AFTER `voucher_periodicity_additional_info`,
    ADD COLUMN IF NOT EXISTS `debtor_id_document_number` Nullable(String) AFTER `debtor_name`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `debtor_id_document_number`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `total_tax_retained` Nullable(Decimal(38, 10)),
    `total_tax_transferred` Nullable(Decimal(38, 10)),
    `sender_fiscal_regime` LowCardinality(Nullable(String)),
    `sender_tax_fraud_status` LowCardinality(Nullable(String)),
    `receiver_postal_code` Nullable(String),
    `receiver_fiscal_regime` LowCardinality(Nullable(String)),
    `receiver_tax_fraud_status` LowCardinality(Nullable(String)),
    `cancelation_status` LowCardinality(Nullable(String)),
    `cancelation_update_date` Nullable(Date32),
    `certification_date` Nullable(Date32),
    `certification_authority` Nullable(String),
    `payment_type` LowCardinality(Nullable(String)),
    `payment_type_description` Nullable(String),
    `payment_method_description` Nullable(String),
    `usage` LowCardinality(Nullable(String)),
    `invoice_version` LowCardinality(Nullable(String)),
    `place_of_issue` Nullable(String),
    `payroll_days` Nullable(Int64),
    `payroll_type` LowCardinality(Nullable(String)),
    `payroll_amount` Nullable(Decimal(38, 10)),
    `payroll_version` LowCardinality(Nullable(String)),
    `payroll_date_from` Nullable(Date32),
    `payroll_date_to` Nullable(Date32),
    `payroll_collected_at` Nullable(DateTime64(6, 'UTC')),
    `payroll_payment_date` Nullable(Date32),
    `payroll_periodicity` LowCardinality(Nullable(String)),
    `folio` Nullable(String),
    `series` Nullable(String),
    `export_type` LowCardinality(Nullable(String)),
    `warnings_code` Nullable(String),
    `warnings_message` Nullable(String),
    `sender_blacklist_status` LowCardinality(Nullable(String)),
    `receiver_blacklist_status` LowCardinality(Nullable(String)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`invoices`
    ADD COLUMN IF NOT EXISTS `invoice_identification` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `invoice_date` Nullable(Date32) AFTER `invoice_identification`,
    ADD COLUMN IF NOT EXISTS `invoice_type` LowCardinality(Nullable(String)) AFTER `invoice_date`,
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `invoice_type`,
    ADD COLUMN IF NOT EXISTS `status` LowCardinality(Nullable(String)) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `sender_id` Nullable(String) AFTER `status`,
    ADD COLUMN IF NOT EXISTS `sender_name` Nullable(String) AFTER `sender_id`,
    ADD COLUMN IF NOT EXISTS `receiver_id` Nullable(String) AFTER `sender_name`,
    ADD COLUMN IF NOT EXISTS `receiver_name` Nullable(String) AFTER `receiver_id`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `receiver_name`,
    ADD COLUMN IF NOT EXISTS `exchange_rate` Nullable(Decimal(38, 10)) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `subtotal_amount` Nullable(Decimal(38, 10)) AFTER `exchange_rate`,
    ADD COLUMN IF NOT EXISTS `tax_amount` Nullable(Decimal(38, 10)) AFTER `subtotal_amount`,
    ADD COLUMN IF NOT EXISTS `discount_amount` Nullable(Decimal(38, 10)) AFTER `tax_amount`,
    ADD COLUMN IF NOT EXISTS `total_amount` Nullable(Decimal(38, 10)) AFTER `discount_amount`,
    ADD COLUMN IF NOT EXISTS `payment_method` LowCardinality(Nullable(String)) AFTER `total_amount`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `payment_method`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `total_tax_retained` Nullable(Decimal(38, 10)) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `total_tax_transferred` Nullable(Decimal(38, 10)) AFTER `total_tax_retained`,
    ADD COLUMN IF NOT EXISTS `sender_fiscal_regime` LowCardinality(Nullable(String)) AFTER `total_tax_transferred`,
    ADD COLUMN IF NOT EXISTS `sender_tax_fraud_status` LowCardinality(Nullable(String)) AFTER `sender_fiscal_regime`,
    ADD COLUMN IF NOT EXISTS `receiver_postal_code` Nullable(String) AFTER `sender_tax_fraud_status`,
    ADD COLUMN IF NOT EXISTS `receiver_fiscal_regime` LowCardinality(Nullable(String)) AFTER `receiver_postal_code`,
    ADD COLUMN IF NOT EXISTS `receiver_tax_fraud_status` LowCardinality(Nullable(String)) AFTER `receiver_fiscal_regime`,
    ADD COLUMN IF NOT EXISTS `cancelation_status` LowCardinality(Nullable(String)) AFTER `receiver_tax_fraud_status`,
    ADD COLUMN IF NOT EXISTS `cancelation_update_date` Nullable(Date32) AFTER `cancelation_status`,
    ADD COLUMN IF NOT EXISTS `certification_date` Nullable(Date32) AFTER `cancelation_update_date`,
    ADD COLUMN IF NOT EXISTS `certification_authority` Nullable(String) AFTER `certification_date`,
    ADD COLUMN IF NOT EXISTS `payment_type` LowCardinality(Nullable(String)) AFTER `certification_authority`,
    ADD COLUMN IF NOT EXISTS `payment_type_description` Nullable(String) AFTER `payment_type`,
    ADD COLUMN IF NOT EXISTS `payment_method_description` Nullable(String) AFTER `payment_type_description`,
    ADD COLUMN IF NOT EXISTS `usage` LowCardinality(Nullable(String)) AFTER `payment_method_description`,
    ADD COLUMN IF NOT EXISTS `invoice_version` LowCardinality(Nullable(String)) AFTER `usage`,
    ADD COLUMN IF NOT EXISTS `place_of_issue` Nullable(String) AFTER `invoice_version`,
    ADD COLUMN IF NOT EXISTS `payroll_days` Nullable(Int64) AFTER `place_of_issue`,
    ADD COLUMN IF NOT EXISTS `payroll_type` LowCardinality(Nullable(String)) AFTER `payroll_days`,
    ADD COLUMN IF NOT EXISTS `payroll_amount` Nullable(Decimal(38, 10)) AFTER `payroll_type`,
    ADD COLUMN IF NOT EXISTS `payroll_version` LowCardinality(Nullable(String)) AFTER `payroll_amount`,
    ADD COLUMN IF NOT EXISTS `payroll_date_from` Nullable(Date32) AFTER `payroll_version`,
    ADD COLUMN IF NOT EXISTS `payroll_date_to` Nullable(Date32) AFTER `payroll_date_from`,
    ADD COLUMN IF NOT EXISTS `payroll_collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `payroll_date_to`,
    ADD COLUMN IF NOT EXISTS `payroll_payment_date` Nullable(Date32) AFTER `payroll_collected_at`,
    ADD COLUMN IF NOT EXISTS `payroll_periodicity` LowCardinality(Nullable(String)) AFTER `payroll_payment_date`,
    ADD COLUMN IF NOT EXISTS `folio` Nullable(String) AFTER `payroll_periodicity`,
    ADD COLUMN IF NOT EXISTS `series` Nullable(String) AFTER `folio`,
    ADD COLUMN IF NOT EXISTS `export_type` LowCardinality(Nullable(String)) AFTER `series`,
    ADD COLUMN IF NOT EXISTS `warnings_code` Nullable(String) AFTER `export_type`,
    ADD COLUMN IF NOT EXISTS `warnings_message` Nullable(String) AFTER `warnings_code`,
    ADD COLUMN IF NOT EXISTS `sender_blacklist_status` LowCardinality(Nullable(String)) AFTER `warnings_message`,
    ADD COLUMN IF NOT EXISTS `receiver_blacklist_status` LowCardinality(Nullable(String)) AFTER `sender_blacklist_status`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `receiver_blacklist_status`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `social_name` Nullable(String),
    `marital_status` LowCardinality(Nullable(String)),
    `marital_status_additional_info` Nullable(String),
    `gender` LowCardinality(Nullable(String)),
    `is_local_resident` Nullable(Bool),
    `company_id` Nullable(String),
    `occupation_code` Nullable(String),
    `occupation_description` Nullable(String),
    `financial_relation_start_date` Nullable(DateTime64(6, 'UTC')),
    `financial_relation_product_services_additional_info` Nullable(String),
    `first_name` Nullable(String),
    `last_name` Nullable(String),
    `second_last_name` Nullable(String),
    `trade_name` Nullable(String),
    `informed_income_amount` Nullable(Decimal(38, 10)),
    `informed_income_currency` LowCardinality(Nullable(String)),
    `informed_income_frequency` LowCardinality(Nullable(String)),
    `patrimony_amount` Nullable(Decimal(38, 10)),
    `patrimony_currency` LowCardinality(Nullable(String)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`owners`
    ADD COLUMN IF NOT EXISTS `display_name` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `company_name` Nullable(String) AFTER `display_name`,
    ADD COLUMN IF NOT EXISTS `document_type` LowCardinality(Nullable(String)) AFTER `company_name`,
    ADD COLUMN IF NOT EXISTS `document_number` Nullable(String) AFTER `document_type`,
    ADD COLUMN IF NOT EXISTS `email` Nullable(String) AFTER `document_number`,
    ADD COLUMN IF NOT EXISTS `phone_number` Nullable(String) AFTER `email`,
    ADD COLUMN IF NOT EXISTS `address` Nullable(String) AFTER `phone_number`,
    ADD COLUMN IF NOT EXISTS `birth_date` Nullable(Date32) AFTER `address`,
    ADD COLUMN IF NOT EXISTS `incorporation_date` Nullable(Date32) AFTER `birth_date`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `incorporation_date`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `social_name` Nullable(String) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `marital_status` LowCardinality(Nullable(String)) AFTER `social_name`,
    ADD COLUMN IF NOT EXISTS `marital_status_additional_info` Nullable(String) AFTER `marital_status`,
    ADD COLUMN IF NOT EXISTS `gender` LowCardinality(Nullable(String)) AFTER `marital_status_additional_info`,
    ADD COLUMN IF NOT EXISTS `is_local_resident` Nullable(Bool) AFTER `gender`,
    ADD COLUMN IF NOT EXISTS `company_id` Nullable(String) AFTER `is_local_resident`,
    ADD COLUMN IF NOT EXISTS `occupation_code` Nullable(String) AFTER `company_id`,
    ADD COLUMN IF NOT EXISTS `occupation_description` Nullable(String) AFTER `occupation_code`,
    ADD COLUMN IF NOT EXISTS `financial_relation_start_date` Nullable(DateTime64(6, 'UTC')) AFTER `occupation_description`,
    ADD COLUMN IF NOT EXISTS `financial_relation_product_services_additional_info` Nullable(String) AFTER `financial_relation_start_date`,
    ADD COLUMN IF NOT EXISTS `first_name` Nullable(String) AFTER `financial_relation_product_services_additional_info`,
    ADD COLUMN IF NOT EXISTS `last_name` Nullable(String) AFTER `first_name`,
    ADD COLUMN IF NOT EXISTS `second_last_name` Nullable(String) AFTER `last_name`,
    ADD COLUMN IF NOT EXISTS `trade_name` Nullable(String) AFTER `second_last_name`,
    ADD COLUMN IF NOT EXISTS `informed_income_amount` Nullable(Decimal(38, 10)) AFTER `trade_name`,
    ADD COLUMN IF NOT EXISTS `informed_income_currency` LowCardinality(Nullable(String)) AFTER `informed_income_amount`,
    ADD COLUMN IF NOT EXISTS `informed_income_frequency` LowCardinality(Nullable(String)) AFTER `informed_income_currency`,
    ADD COLUMN IF NOT EXISTS `patrimony_amount` Nullable(Decimal(38, 10)) AFTER `informed_income_frequency`,
    ADD COLUMN IF NOT EXISTS `patrimony_currency` LowCardinality(Nullable(String)) AFTER `patrimony_amount`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `patrimony_currency`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`recurring_expenses`
    ADD COLUMN IF NOT EXISTS `account_id` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `account_category` LowCardinality(Nullable(String)) AFTER `account_id`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `account_category`,
    ADD COLUMN IF NOT EXISTS `name` Nullable(String) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `frequency` LowCardinality(Nullable(String)) AFTER `name`,
    ADD COLUMN IF NOT EXISTS `category` LowCardinality(Nullable(String)) AFTER `frequency`,
    ADD COLUMN IF NOT EXISTS `payment_type` LowCardinality(Nullable(String)) AFTER `category`,
    ADD COLUMN IF NOT EXISTS `average_transaction_amount` Nullable(Decimal(38, 10)) AFTER `payment_type`,
    ADD COLUMN IF NOT EXISTS `median_transaction_amount` Nullable(Decimal(38, 10)) AFTER `average_transaction_amount`,
    ADD COLUMN IF NOT EXISTS `days_since_last_transaction` Nullable(Int64) AFTER `median_transaction_amount`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `days_since_last_transaction`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `num_assets_accounts` Nullable(Int64),
    `num_checking_accounts` Nullable(Int64),
    `num_savings_accounts` Nullable(Int64),
    `credit_cards_metrics_num_accounts` Nullable(Int64),
    `loans_metrics_num_accounts` Nullable(Int64),
    `sum_loans_principal` Nullable(Decimal(38, 10)),
    `sum_loans_monthly_payment` Nullable(Decimal(38, 10)),
    `overdraft_limit` Nullable(Decimal(38, 10)),
    `overdraft_limit_utilization` Nullable(Float64),
    `min_balance_3d` Nullable(Decimal(38, 10)),
    `min_balance_1w` Nullable(Decimal(38, 10)),
    `min_balance_1m` Nullable(Decimal(38, 10)),
    `min_balance_3m` Nullable(Decimal(38, 10)),
    `min_balance_6m` Nullable(Decimal(38, 10)),
    `min_balance_12m` Nullable(Decimal(38, 10)),
    `mean_balance_3d` Nullable(Decimal(38, 10)),
    `mean_balance_1w` Nullable(Decimal(38, 10)),
    `mean_balance_1m` Nullable(Decimal(38, 10)),
    `mean_balance_3m` Nullable(Decimal(38, 10)),
    `mean_balance_6m` Nullable(Decimal(38, 10)),
    `mean_balance_12m` Nullable(Decimal(38, 10)),
    `max_balance_3d` Nullable(Decimal(38, 10)),
    `max_balance_1w` Nullable(Decimal(38, 10)),
    `max_balance_1m` Nullable(Decimal(38, 10)),
    `max_balance_3m` Nullable(Decimal(38, 10)),
    `max_balance_6m` Nullable(Decimal(38, 10)),
    `max_balance_12m` Nullable(Decimal(38, 10)),
    `std_balance_3d` Nullable(Decimal(38, 10)),
    `std_balance_1w` Nullable(Decimal(38, 10)),
    `std_balance_1m` Nullable(Decimal(38, 10)),
    `std_balance_3m` Nullable(Decimal(38, 10)),
    `std_balance_6m` Nullable(Decimal(38, 10)),
    `std_balance_12m` Nullable(Decimal(38, 10)),
    `balance_trend_3d` Nullable(Float64),
    `balance_trend_1w` Nullable(Float64),
    `balance_trend_1m` Nullable(Float64),
    `balance_trend_3m` Nullable(Float64),
    `balance_trend_6m` Nullable(Float64),
    `balance_trend_12m` Nullable(Float64),
    `days_balance_below_0_3d` Nullable(Int64),
    `days_balance_below_0_1w` Nullable(Int64),
    `days_balance_below_0_3m` Nullable(Int64),
    `days_balance_below_0_6m` Nullable(Int64),
    `days_balance_below_0_12m` Nullable(Int64),
    `days_balance_below_mean_3d` Nullable(Int64),
    `days_balance_below_mean_1w` Nullable(Int64),
    `days_balance_below_mean_1m` Nullable(Int64),
    `days_balance_below_mean_3m` Nullable(Int64),
    `days_balance_below_mean_6m` Nullable(Int64),
    `days_balance_below_mean_12m` Nullable(Int64),
    `days_balance_below_x_3d` Nullable(Int64),
    `days_balance_below_x_1w` Nullable(Int64),
    `days_balance_below_x_1m` Nullable(Int64),
    `days_balance_below_x_3m` Nullable(Int64),
    `days_balance_below_x_6m` Nullable(Int64),
    `days_balance_below_x_12m` Nullable(Int64),
    `balance_threshold_x` Nullable(Decimal(38, 10)),
    `num_transactions_3d` Nullable(Int64),
    `num_transactions_1w` Nullable(Int64),
    `num_transactions_3m` Nullable(Int64),
    `num_transactions_6m` Nullable(Int64),
    `num_transactions_12m` Nullable(Int64),
    `max_num_transactions_3d` Nullable(Int64),
    `max_num_transactions_1w` Nullable(Int64),
    `max_num_transactions_1m` Nullable(Int64),
    `max_num_transactions_3m` Nullable(Int64),
    `max_num_transactions_6m` Nullable(Int64),
    `max_num_transactions_12m` Nullable(Int64),
    `mean_num_transactions_3d` Nullable(Float64),
    `mean_num_transactions_1w` Nullable(Float64),
    `mean_num_transactions_1m` Nullable(Float64),
    `mean_num_transactions_3m` Nullable(Float64),
    `mean_num_transactions_6m` Nullable(Float64),
    `mean_num_transactions_12m` Nullable(Float64),
    `num_incoming_transactions_3d` Nullable(Int64),
    `num_incoming_transactions_1w` Nullable(Int64),
    `num_incoming_transactions_1m` Nullable(Int64),
    `num_incoming_transactions_3m` Nullable(Int64),
    `num_incoming_transactions_6m` Nullable(Int64),
    `num_incoming_transactions_12m` Nullable(Int64),
    `max_num_incoming_transactions_3d` Nullable(Int64),
    `max_num_incoming_transactions_1w` Nullable(Int64),
    `max_num_incoming_transactions_1m` Nullable(Int64),
    `max_num_incoming_transactions_3m` Nullable(Int64),
    `max_num_incoming_transactions_6m` Nullable(Int64),
    `max_num_incoming_transactions_12m` Nullable(Int64),
    `mean_num_incoming_transactions_3d` Nullable(Float64),
    `mean_num_incoming_transactions_1w` Nullable(Float64),
    `mean_num_incoming_transactions_1m` Nullable(Float64),
    `mean_num_incoming_transactions_3m` Nullable(Float64),
    `mean_num_incoming_transactions_6m` Nullable(Float64),
    `mean_num_incoming_transactions_12m` Nullable(Float64),
    `sum_incoming_amount_3d` Nullable(Decimal(38, 10)),
    `sum_incoming_amount_1w` Nullable(Decimal(38, 10)),
    `sum_incoming_amount_3m` Nullable(Decimal(38, 10)),
    `sum_incoming_amount_6m` Nullable(Decimal(38, 10)),
    `sum_incoming_amount_12m` Nullable(Decimal(38, 10)),
    `max_incoming_amount_3d` Nullable(Decimal(38, 10)),
    `max_incoming_amount_1w` Nullable(Decimal(38, 10)),
    `max_incoming_amount_1m` Nullable(Decimal(38, 10)),
    `max_incoming_amount_3m` Nullable(Decimal(38, 10)),
    `max_incoming_amount_6m` Nullable(Decimal(38, 10)),
    `max_incoming_amount_12m` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_3d` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_1w` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_1m` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_3m` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_6m` Nullable(Decimal(38, 10)),
    `mean_incoming_amount_12m` Nullable(Decimal(38, 10)),
    `num_outgoing_transactions_3d` Nullable(Int64),
    `num_outgoing_transactions_1w` Nullable(Int64),
    `num_outgoing_transactions_1m` Nullable(Int64),
    `num_outgoing_transactions_3m` Nullable(Int64),
    `num_outgoing_transactions_6m` Nullable(Int64),
    `num_outgoing_transactions_12m` Nullable(Int64),
    `max_num_outgoing_transactions_3d` Nullable(Int64),
    `max_num_outgoing_transactions_1w` Nullable(Int64),
    `max_num_outgoing_transactions_1m` Nullable(Int64),
    `max_num_outgoing_transactions_3m` Nullable(Int64),
    `max_num_outgoing_transactions_6m` Nullable(Int64),
    `max_num_outgoing_transactions_12m` Nullable(Int64),
    `mean_num_outgoing_transactions_3d` Nullable(Float64),
    `mean_num_outgoing_transactions_1w` Nullable(Float64),
    `mean_num_outgoing_transactions_1m` Nullable(Float64),
    `mean_num_outgoing_transactions_3m` Nullable(Float64),
    `mean_num_outgoing_transactions_6m` Nullable(Float64),
    `mean_num_outgoing_transactions_12m` Nullable(Float64),
    `sum_outgoing_amount_3d` Nullable(Decimal(38, 10)),
    `sum_outgoing_amount_1w` Nullable(Decimal(38, 10)),
    `sum_outgoing_amount_3m` Nullable(Decimal(38, 10)),
    `sum_outgoing_amount_6m` Nullable(Decimal(38, 10)),
    `sum_outgoing_amount_12m` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_3d` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_1w` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_1m` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_3m` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_6m` Nullable(Decimal(38, 10)),
    `max_outgoing_amount_12m` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_3d` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_1w` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_1m` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_3m` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_6m` Nullable(Decimal(38, 10)),
    `mean_outgoing_amount_12m` Nullable(Decimal(38, 10)),
    `days_without_transactions_3d` Nullable(Int64),
    `days_without_transactions_1w` Nullable(Int64),
    `days_without_transactions_1m` Nullable(Int64),
    `days_without_transactions_3m` Nullable(Int64),
    `days_without_transactions_6m` Nullable(Int64),
    `days_without_transactions_12m` Nullable(Int64),
    `days_since_last_transaction` Nullable(Int64),
    `days_since_last_incoming_transaction` Nullable(Int64),
    `days_since_last_outgoing_transaction` Nullable(Int64),
    `max_positive_3d` Nullable(Decimal(38, 10)),
    `max_positive_1w` Nullable(Decimal(38, 10)),
    `max_positive_1m` Nullable(Decimal(38, 10)),
    `max_positive_3m` Nullable(Decimal(38, 10)),
    `max_positive_6m` Nullable(Decimal(38, 10)),
    `max_positive_12m` Nullable(Decimal(38, 10)),
    `max_negative_3d` Nullable(Decimal(38, 10)),
    `max_negative_1w` Nullable(Decimal(38, 10)),
    `max_negative_1m` Nullable(Decimal(38, 10)),
    `max_negative_3m` Nullable(Decimal(38, 10)),
    `max_negative_6m` Nullable(Decimal(38, 10)),
    `max_negative_12m` Nullable(Decimal(38, 10)),
    `mean_positive_3d` Nullable(Decimal(38, 10)),
    `mean_positive_1w` Nullable(Decimal(38, 10)),
    `mean_positive_1m` Nullable(Decimal(38, 10)),
    `mean_positive_3m` Nullable(Decimal(38, 10)),
    `mean_positive_6m` Nullable(Decimal(38, 10)),
    `mean_positive_12m` Nullable(Decimal(38, 10)),
    `mean_negative_3d` Nullable(Decimal(38, 10)),
    `mean_negative_1w` Nullable(Decimal(38, 10)),
    `mean_negative_1m` Nullable(Decimal(38, 10)),
    `mean_negative_3m` Nullable(Decimal(38, 10)),
    `mean_negative_6m` Nullable(Decimal(38, 10)),
    `mean_negative_12m` Nullable(Decimal(38, 10)),
    `sum_positive_3d` Nullable(Decimal(38, 10)),
    `sum_positive_1w` Nullable(Decimal(38, 10)),
    `sum_positive_1m` Nullable(Decimal(38, 10)),
    `sum_positive_3m` Nullable(Decimal(38, 10)),
    `sum_positive_6m` Nullable(Decimal(38, 10)),
    `sum_positive_12m` Nullable(Decimal(38, 10)),
    `sum_positive_trend_3d` Nullable(Float64),
    `sum_positive_trend_1w` Nullable(Float64),
    `sum_positive_trend_1m` Nullable(Float64),
    `sum_positive_trend_3m` Nullable(Float64),
    `sum_positive_trend_6m` Nullable(Float64),
    `sum_positive_trend_12m` Nullable(Float64),
    `sum_negative_3d` Nullable(Decimal(38, 10)),
    `sum_negative_1w` Nullable(Decimal(38, 10)),
    `sum_negative_1m` Nullable(Decimal(38, 10)),
    `sum_negative_3m` Nullable(Decimal(38, 10)),
    `sum_negative_6m` Nullable(Decimal(38, 10)),
    `sum_negative_12m` Nullable(Decimal(38, 10)),
    `sum_negative_trend_3d` Nullable(Float64),
    `sum_negative_trend_1w` Nullable(Float64),
    `sum_negative_trend_1m` Nullable(Float64),
    `sum_negative_trend_3m` Nullable(Float64),
    `sum_negative_trend_6m` Nullable(Float64),
    `sum_negative_trend_12m` Nullable(Float64),
    `positive_to_negative_ratio_3d` Nullable(Float64),
    `positive_to_negative_ratio_1w` Nullable(Float64),
    `positive_to_negative_ratio_1m` Nullable(Float64),
    `positive_to_negative_ratio_3m` Nullable(Float64),
    `positive_to_negative_ratio_6m` Nullable(Float64),
    `positive_to_negative_ratio_12m` Nullable(Float64),
    `net_cashflow_3d` Nullable(Decimal(38, 10)),
    `net_cashflow_1w` Nullable(Decimal(38, 10)),
    `net_cashflow_3m` Nullable(Decimal(38, 10)),
    `net_cashflow_6m` Nullable(Decimal(38, 10)),
    `net_cashflow_12m` Nullable(Decimal(38, 10)),
    `net_cashflow_trend_3d` Nullable(Float64),
    `net_cashflow_trend_1w` Nullable(Float64),
    `net_cashflow_trend_1m` Nullable(Float64),
    `net_cashflow_trend_3m` Nullable(Float64),
    `net_cashflow_trend_6m` Nullable(Float64),
    `net_cashflow_trend_12m` Nullable(Float64),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`risk_insights`
    ADD COLUMN IF NOT EXISTS `checking_accounts_balance` Nullable(Decimal(38, 10)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `savings_accounts_balance` Nullable(Decimal(38, 10)) AFTER `checking_accounts_balance`,
    ADD COLUMN IF NOT EXISTS `closing_balance` Nullable(Decimal(38, 10)) AFTER `savings_accounts_balance`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_1m` Nullable(Int64) AFTER `closing_balance`,
    ADD COLUMN IF NOT EXISTS `sum_credit_limit` Nullable(Decimal(38, 10)) AFTER `days_balance_below_0_1m`,
    ADD COLUMN IF NOT EXISTS `sum_credit_used` Nullable(Decimal(38, 10)) AFTER `sum_credit_limit`,
    ADD COLUMN IF NOT EXISTS `credit_card_limit_utilization` Nullable(Float64) AFTER `sum_credit_used`,
    ADD COLUMN IF NOT EXISTS `sum_loans_outstanding_principal` Nullable(Decimal(38, 10)) AFTER `credit_card_limit_utilization`,
    ADD COLUMN IF NOT EXISTS `loan_limit_utilization` Nullable(Float64) AFTER `sum_loans_outstanding_principal`,
    ADD COLUMN IF NOT EXISTS `num_transactions_1m` Nullable(Int64) AFTER `loan_limit_utilization`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_1m` Nullable(Decimal(38, 10)) AFTER `num_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_1m` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_1m`,
    ADD COLUMN IF NOT EXISTS `days_history` Nullable(Int64) AFTER `sum_outgoing_amount_1m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_1m` Nullable(Decimal(38, 10)) AFTER `days_history`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `net_cashflow_1m`,
    ADD COLUMN IF NOT EXISTS `num_assets_accounts` Nullable(Int64) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `num_checking_accounts` Nullable(Int64) AFTER `num_assets_accounts`,
    ADD COLUMN IF NOT EXISTS `num_savings_accounts` Nullable(Int64) AFTER `num_checking_accounts`,
    ADD COLUMN IF NOT EXISTS `credit_cards_metrics_num_accounts` Nullable(Int64) AFTER `num_savings_accounts`,
    ADD COLUMN IF NOT EXISTS `loans_metrics_num_accounts` Nullable(Int64) AFTER `credit_cards_metrics_num_accounts`,
    ADD COLUMN IF NOT EXISTS `sum_loans_principal` Nullable(Decimal(38, 10)) AFTER `loans_metrics_num_accounts`,
    ADD COLUMN IF NOT EXISTS `sum_loans_monthly_payment` Nullable(Decimal(38, 10)) AFTER `sum_loans_principal`,
    ADD COLUMN IF NOT EXISTS `overdraft_limit` Nullable(Decimal(38, 10)) AFTER `sum_loans_monthly_payment`,
    ADD COLUMN IF NOT EXISTS `overdraft_limit_utilization` Nullable(Float64) AFTER `overdraft_limit`,
    ADD COLUMN IF NOT EXISTS `min_balance_3d` Nullable(Decimal(38, 10)) AFTER `overdraft_limit_utilization`,
    ADD COLUMN IF NOT EXISTS `min_balance_1w` Nullable(Decimal(38, 10)) AFTER `min_balance_3d`,
    ADD COLUMN IF NOT EXISTS `min_balance_1m` Nullable(Decimal(38, 10)) AFTER `min_balance_1w`,
    ADD COLUMN IF NOT EXISTS `min_balance_3m` Nullable(Decimal(38, 10)) AFTER `min_balance_1m`,
    ADD COLUMN IF NOT EXISTS `min_balance_6m` Nullable(Decimal(38, 10)) AFTER `min_balance_3m`,
    ADD COLUMN IF NOT EXISTS `min_balance_12m` Nullable(Decimal(38, 10)) AFTER `min_balance_6m`,
    ADD COLUMN IF NOT EXISTS `mean_balance_3d` Nullable(Decimal(38, 10)) AFTER `min_balance_12m`,
    ADD COLUMN IF NOT EXISTS `mean_balance_1w` Nullable(Decimal(38, 10)) AFTER `mean_balance_3d`,
    ADD COLUMN IF NOT EXISTS `mean_balance_1m` Nullable(Decimal(38, 10)) AFTER `mean_balance_1w`,
    ADD COLUMN IF NOT EXISTS `mean_balance_3m` Nullable(Decimal(38, 10)) AFTER `mean_balance_1m`,
    ADD COLUMN IF NOT EXISTS `mean_balance_6m` Nullable(Decimal(38, 10)) AFTER `mean_balance_3m`,
    ADD COLUMN IF NOT EXISTS `mean_balance_12m` Nullable(Decimal(38, 10)) AFTER `mean_balance_6m`,
    ADD COLUMN IF NOT EXISTS `max_balance_3d` Nullable(Decimal(38, 10)) AFTER `mean_balance_12m`,
    ADD COLUMN IF NOT EXISTS `max_balance_1w` Nullable(Decimal(38, 10)) AFTER `max_balance_3d`,
    ADD COLUMN IF NOT EXISTS `max_balance_1m` Nullable(Decimal(38, 10)) AFTER `max_balance_1w`,
    ADD COLUMN IF NOT EXISTS `max_balance_3m` Nullable(Decimal(38, 10)) AFTER `max_balance_1m`,
    ADD COLUMN IF NOT EXISTS `max_balance_6m` Nullable(Decimal(38, 10)) AFTER `max_balance_3m`,
    ADD COLUMN IF NOT EXISTS `max_balance_12m` Nullable(Decimal(38, 10)) AFTER `max_balance_6m`,
    ADD COLUMN IF NOT EXISTS `std_balance_3d` Nullable(Decimal(38, 10)) AFTER `max_balance_12m`,
    ADD COLUMN IF NOT EXISTS `std_balance_1w` Nullable(Decimal(38, 10)) AFTER `std_balance_3d`,
    ADD COLUMN IF NOT EXISTS `std_balance_1m` Nullable(Decimal(38, 10)) AFTER `std_balance_1w`,
    ADD COLUMN IF NOT EXISTS `std_balance_3m` Nullable(Decimal(38, 10)) AFTER `std_balance_1m`,
    ADD COLUMN IF NOT EXISTS `std_balance_6m` Nullable(Decimal(38, 10)) AFTER `std_balance_3m`,
    ADD COLUMN IF NOT EXISTS `std_balance_12m` Nullable(Decimal(38, 10)) AFTER `std_balance_6m`,
    ADD COLUMN IF NOT EXISTS `balance_trend_3d` Nullable(Float64) AFTER `std_balance_12m`,
    ADD COLUMN IF NOT EXISTS `balance_trend_1w` Nullable(Float64) AFTER `balance_trend_3d`,
    ADD COLUMN IF NOT EXISTS `balance_trend_1m` Nullable(Float64) AFTER `balance_trend_1w`,
    ADD COLUMN IF NOT EXISTS `balance_trend_3m` Nullable(Float64) AFTER `balance_trend_1m`,
    ADD COLUMN IF NOT EXISTS `balance_trend_6m` Nullable(Float64) AFTER `balance_trend_3m`,
    ADD COLUMN IF NOT EXISTS `balance_trend_12m` Nullable(Float64) AFTER `balance_trend_6m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_3d` Nullable(Int64) AFTER `balance_trend_12m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_1w` Nullable(Int64) AFTER `days_balance_below_0_3d`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_3m` Nullable(Int64) AFTER `days_balance_below_0_1w`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_6m` Nullable(Int64) AFTER `days_balance_below_0_3m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_0_12m` Nullable(Int64) AFTER `days_balance_below_0_6m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_3d` Nullable(Int64) AFTER `days_balance_below_0_12m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_1w` Nullable(Int64) AFTER `days_balance_below_mean_3d`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_1m` Nullable(Int64) AFTER `days_balance_below_mean_1w`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_3m` Nullable(Int64) AFTER `days_balance_below_mean_1m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_6m` Nullable(Int64) AFTER `days_balance_below_mean_3m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_mean_12m` Nullable(Int64) AFTER `days_balance_below_mean_6m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_3d` Nullable(Int64) AFTER `days_balance_below_mean_12m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_1w` Nullable(Int64) AFTER `days_balance_below_x_3d`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_1m` Nullable(Int64) AFTER `days_balance_below_x_1w`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_3m` Nullable(Int64) AFTER `days_balance_below_x_1m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_6m` Nullable(Int64) AFTER `days_balance_below_x_3m`,
    ADD COLUMN IF NOT EXISTS `days_balance_below_x_12m` Nullable(Int64) AFTER `days_balance_below_x_6m`,
    ADD COLUMN IF NOT EXISTS `balance_threshold_x` Nullable(Decimal(38, 10)) AFTER `days_balance_below_x_12m`,
    ADD COLUMN IF NOT EXISTS `num_transactions_3d` Nullable(Int64) AFTER `balance_threshold_x`,
    ADD COLUMN IF NOT EXISTS `num_transactions_1w` Nullable(Int64) AFTER `num_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `num_transactions_3m` Nullable(Int64) AFTER `num_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `num_transactions_6m` Nullable(Int64) AFTER `num_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `num_transactions_12m` Nullable(Int64) AFTER `num_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_3d` Nullable(Int64) AFTER `num_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_1w` Nullable(Int64) AFTER `max_num_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_1m` Nullable(Int64) AFTER `max_num_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_3m` Nullable(Int64) AFTER `max_num_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_6m` Nullable(Int64) AFTER `max_num_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `max_num_transactions_12m` Nullable(Int64) AFTER `max_num_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_3d` Nullable(Float64) AFTER `max_num_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_1w` Nullable(Float64) AFTER `mean_num_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_1m` Nullable(Float64) AFTER `mean_num_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_3m` Nullable(Float64) AFTER `mean_num_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_6m` Nullable(Float64) AFTER `mean_num_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `mean_num_transactions_12m` Nullable(Float64) AFTER `mean_num_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_3d` Nullable(Int64) AFTER `mean_num_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_1w` Nullable(Int64) AFTER `num_incoming_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_1m` Nullable(Int64) AFTER `num_incoming_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_3m` Nullable(Int64) AFTER `num_incoming_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_6m` Nullable(Int64) AFTER `num_incoming_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `num_incoming_transactions_12m` Nullable(Int64) AFTER `num_incoming_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_3d` Nullable(Int64) AFTER `num_incoming_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_1w` Nullable(Int64) AFTER `max_num_incoming_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_1m` Nullable(Int64) AFTER `max_num_incoming_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_3m` Nullable(Int64) AFTER `max_num_incoming_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_6m` Nullable(Int64) AFTER `max_num_incoming_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `max_num_incoming_transactions_12m` Nullable(Int64) AFTER `max_num_incoming_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_3d` Nullable(Float64) AFTER `max_num_incoming_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_1w` Nullable(Float64) AFTER `mean_num_incoming_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_1m` Nullable(Float64) AFTER `mean_num_incoming_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_3m` Nullable(Float64) AFTER `mean_num_incoming_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_6m` Nullable(Float64) AFTER `mean_num_incoming_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `mean_num_incoming_transactions_12m` Nullable(Float64) AFTER `mean_num_incoming_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_3d` Nullable(Decimal(38, 10)) AFTER `mean_num_incoming_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_1w` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_3d`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_3m` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_1w`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_6m` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_3m`,
    ADD COLUMN IF NOT EXISTS `sum_incoming_amount_12m` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_6m`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_3d` Nullable(Decimal(38, 10)) AFTER `sum_incoming_amount_12m`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_1w` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_3d`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_1m` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_1w`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_3m` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_1m`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_6m` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_3m`,
    ADD COLUMN IF NOT EXISTS `max_incoming_amount_12m` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_6m`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_3d` Nullable(Decimal(38, 10)) AFTER `max_incoming_amount_12m`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_1w` Nullable(Decimal(38, 10)) AFTER `mean_incoming_amount_3d`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_1m` Nullable(Decimal(38, 10)) AFTER `mean_incoming_amount_1w`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_3m` Nullable(Decimal(38, 10)) AFTER `mean_incoming_amount_1m`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_6m` Nullable(Decimal(38, 10)) AFTER `mean_incoming_amount_3m`,
    ADD COLUMN IF NOT EXISTS `mean_incoming_amount_12m` Nullable(Decimal(38, 10)) AFTER `mean_incoming_amount_6m`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_3d` Nullable(Int64) AFTER `mean_incoming_amount_12m`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_1w` Nullable(Int64) AFTER `num_outgoing_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_1m` Nullable(Int64) AFTER `num_outgoing_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_3m` Nullable(Int64) AFTER `num_outgoing_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_6m` Nullable(Int64) AFTER `num_outgoing_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `num_outgoing_transactions_12m` Nullable(Int64) AFTER `num_outgoing_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_3d` Nullable(Int64) AFTER `num_outgoing_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_1w` Nullable(Int64) AFTER `max_num_outgoing_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_1m` Nullable(Int64) AFTER `max_num_outgoing_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_3m` Nullable(Int64) AFTER `max_num_outgoing_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_6m` Nullable(Int64) AFTER `max_num_outgoing_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `max_num_outgoing_transactions_12m` Nullable(Int64) AFTER `max_num_outgoing_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_3d` Nullable(Float64) AFTER `max_num_outgoing_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_1w` Nullable(Float64) AFTER `mean_num_outgoing_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_1m` Nullable(Float64) AFTER `mean_num_outgoing_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_3m` Nullable(Float64) AFTER `mean_num_outgoing_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_6m` Nullable(Float64) AFTER `mean_num_outgoing_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `mean_num_outgoing_transactions_12m` Nullable(Float64) AFTER `mean_num_outgoing_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_3d` Nullable(Decimal(38, 10)) AFTER `mean_num_outgoing_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_1w` Nullable(Decimal(38, 10)) AFTER `sum_outgoing_amount_3d`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_3m` Nullable(Decimal(38, 10)) AFTER `sum_outgoing_amount_1w`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_6m` Nullable(Decimal(38, 10)) AFTER `sum_outgoing_amount_3m`,
    ADD COLUMN IF NOT EXISTS `sum_outgoing_amount_12m` Nullable(Decimal(38, 10)) AFTER `sum_outgoing_amount_6m`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_3d` Nullable(Decimal(38, 10)) AFTER `sum_outgoing_amount_12m`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_1w` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_3d`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_1m` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_1w`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_3m` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_1m`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_6m` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_3m`,
    ADD COLUMN IF NOT EXISTS `max_outgoing_amount_12m` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_6m`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_3d` Nullable(Decimal(38, 10)) AFTER `max_outgoing_amount_12m`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_1w` Nullable(Decimal(38, 10)) AFTER `mean_outgoing_amount_3d`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_1m` Nullable(Decimal(38, 10)) AFTER `mean_outgoing_amount_1w`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_3m` Nullable(Decimal(38, 10)) AFTER `mean_outgoing_amount_1m`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_6m` Nullable(Decimal(38, 10)) AFTER `mean_outgoing_amount_3m`,
    ADD COLUMN IF NOT EXISTS `mean_outgoing_amount_12m` Nullable(Decimal(38, 10)) AFTER `mean_outgoing_amount_6m`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_3d` Nullable(Int64) AFTER `mean_outgoing_amount_12m`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_1w` Nullable(Int64) AFTER `days_without_transactions_3d`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_1m` Nullable(Int64) AFTER `days_without_transactions_1w`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_3m` Nullable(Int64) AFTER `days_without_transactions_1m`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_6m` Nullable(Int64) AFTER `days_without_transactions_3m`,
    ADD COLUMN IF NOT EXISTS `days_without_transactions_12m` Nullable(Int64) AFTER `days_without_transactions_6m`,
    ADD COLUMN IF NOT EXISTS `days_since_last_transaction` Nullable(Int64) AFTER `days_without_transactions_12m`,
    ADD COLUMN IF NOT EXISTS `days_since_last_incoming_transaction` Nullable(Int64) AFTER `days_since_last_transaction`,
    ADD COLUMN IF NOT EXISTS `days_since_last_outgoing_transaction` Nullable(Int64) AFTER `days_since_last_incoming_transaction`,
    ADD COLUMN IF NOT EXISTS `max_positive_3d` Nullable(Decimal(38, 10)) AFTER `days_since_last_outgoing_transaction`,
    ADD COLUMN IF NOT EXISTS `max_positive_1w` Nullable(Decimal(38, 10)) AFTER `max_positive_3d`,
    ADD COLUMN IF NOT EXISTS `max_positive_1m` Nullable(Decimal(38, 10)) AFTER `max_positive_1w`,
    ADD COLUMN IF NOT EXISTS `max_positive_3m` Nullable(Decimal(38, 10)) AFTER `max_positive_1m`,
    ADD COLUMN IF NOT EXISTS `max_positive_6m` Nullable(Decimal(38, 10)) AFTER `max_positive_3m`,
    ADD COLUMN IF NOT EXISTS `max_positive_12m` Nullable(Decimal(38, 10)) AFTER `max_positive_6m`,
    ADD COLUMN IF NOT EXISTS `max_negative_3d` Nullable(Decimal(38, 10)) AFTER `max_positive_12m`,
    ADD COLUMN IF NOT EXISTS `max_negative_1w` Nullable(Decimal(38, 10)) AFTER `max_negative_3d`,
    ADD COLUMN IF NOT EXISTS `max_negative_1m` Nullable(Decimal(38, 10)) AFTER `max_negative_1w`,
    ADD COLUMN IF NOT EXISTS `max_negative_3m` Nullable(Decimal(38, 10)) AFTER `max_negative_1m`,
    ADD COLUMN IF NOT EXISTS `max_negative_6m` Nullable(Decimal(38, 10)) AFTER `max_negative_3m`,
    ADD COLUMN IF NOT EXISTS `max_negative_12m` Nullable(Decimal(38, 10)) AFTER `max_negative_6m`,
    ADD COLUMN IF NOT EXISTS `mean_positive_3d` Nullable(Decimal(38, 10)) AFTER `max_negative_12m`,
    ADD COLUMN IF NOT EXISTS `mean_positive_1w` Nullable(Decimal(38, 10)) AFTER `mean_positive_3d`,
    ADD COLUMN IF NOT EXISTS `mean_positive_1m` Nullable(Decimal(38, 10)) AFTER `mean_positive_1w`,
    ADD COLUMN IF NOT EXISTS `mean_positive_3m` Nullable(Decimal(38, 10)) AFTER `mean_positive_1m`,
    ADD COLUMN IF NOT EXISTS `mean_positive_6m` Nullable(Decimal(38, 10)) AFTER `mean_positive_3m`,
    ADD COLUMN IF NOT EXISTS `mean_positive_12m` Nullable(Decimal(38, 10)) AFTER `mean_positive_6m`,
    ADD COLUMN IF NOT EXISTS `mean_negative_3d` Nullable(Decimal(38, 10)) AFTER `mean_positive_12m`,
    ADD COLUMN IF NOT EXISTS `mean_negative_1w` Nullable(Decimal(38, 10)) AFTER `mean_negative_3d`,
    ADD COLUMN IF NOT EXISTS `mean_negative_1m` Nullable(Decimal(38, 10)) AFTER `mean_negative_1w`,
    ADD COLUMN IF NOT EXISTS `mean_negative_3m` Nullable(Decimal(38, 10)) AFTER `mean_negative_1m`,
    ADD COLUMN IF NOT EXISTS `mean_negative_6m` Nullable(Decimal(38, 10)) AFTER `mean_negative_3m`,
    ADD COLUMN IF NOT EXISTS `mean_negative_12m` Nullable(Decimal(38, 10)) AFTER `mean_negative_6m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_3d` Nullable(Decimal(38, 10)) AFTER `mean_negative_12m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_1w` Nullable(Decimal(38, 10)) AFTER `sum_positive_3d`,
    ADD COLUMN IF NOT EXISTS `sum_positive_1m` Nullable(Decimal(38, 10)) AFTER `sum_positive_1w`,
    ADD COLUMN IF NOT EXISTS `sum_positive_3m` Nullable(Decimal(38, 10)) AFTER `sum_positive_1m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_6m` Nullable(Decimal(38, 10)) AFTER `sum_positive_3m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_12m` Nullable(Decimal(38, 10)) AFTER `sum_positive_6m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_3d` Nullable(Float64) AFTER `sum_positive_12m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_1w` Nullable(Float64) AFTER `sum_positive_trend_3d`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_1m` Nullable(Float64) AFTER `sum_positive_trend_1w`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_3m` Nullable(Float64) AFTER `sum_positive_trend_1m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_6m` Nullable(Float64) AFTER `sum_positive_trend_3m`,
    ADD COLUMN IF NOT EXISTS `sum_positive_trend_12m` Nullable(Float64) AFTER `sum_positive_trend_6m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_3d` Nullable(Decimal(38, 10)) AFTER `sum_positive_trend_12m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_1w` Nullable(Decimal(38, 10)) AFTER `sum_negative_3d`,
    ADD COLUMN IF NOT EXISTS `sum_negative_1m` Nullable(Decimal(38, 10)) AFTER `sum_negative_1w`,
    ADD COLUMN IF NOT EXISTS `sum_negative_3m` Nullable(Decimal(38, 10)) AFTER `sum_negative_1m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_6m` Nullable(Decimal(38, 10)) AFTER `sum_negative_3m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_12m` Nullable(Decimal(38, 10)) AFTER `sum_negative_6m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_3d` Nullable(Float64) AFTER `sum_negative_12m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_1w` Nullable(Float64) AFTER `sum_negative_trend_3d`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_1m` Nullable(Float64) AFTER `sum_negative_trend_1w`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_3m` Nullable(Float64) AFTER `sum_negative_trend_1m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_6m` Nullable(Float64) AFTER `sum_negative_trend_3m`,
    ADD COLUMN IF NOT EXISTS `sum_negative_trend_12m` Nullable(Float64) AFTER `sum_negative_trend_6m`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_3d` Nullable(Float64) AFTER `sum_negative_trend_12m`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_1w` Nullable(Float64) AFTER `positive_to_negative_ratio_3d`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_1m` Nullable(Float64) AFTER `positive_to_negative_ratio_1w`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_3m` Nullable(Float64) AFTER `positive_to_negative_ratio_1m`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_6m` Nullable(Float64) AFTER `positive_to_negative_ratio_3m`,
    ADD COLUMN IF NOT EXISTS `positive_to_negative_ratio_12m` Nullable(Float64) AFTER `positive_to_negative_ratio_6m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_3d` Nullable(Decimal(38, 10)) AFTER `positive_to_negative_ratio_12m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_1w` Nullable(Decimal(38, 10)) AFTER `net_cashflow_3d`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_3m` Nullable(Decimal(38, 10)) AFTER `net_cashflow_1w`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_6m` Nullable(Decimal(38, 10)) AFTER `net_cashflow_3m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_12m` Nullable(Decimal(38, 10)) AFTER `net_cashflow_6m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_3d` Nullable(Float64) AFTER `net_cashflow_12m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_1w` Nullable(Float64) AFTER `net_cashflow_trend_3d`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_1m` Nullable(Float64) AFTER `net_cashflow_trend_1w`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_3m` Nullable(Float64) AFTER `net_cashflow_trend_1m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_6m` Nullable(Float64) AFTER `net_cashflow_trend_3m`,
    ADD COLUMN IF NOT EXISTS `net_cashflow_trend_12m` Nullable(Float64) AFTER `net_cashflow_trend_6m`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `net_cashflow_trend_12m`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`tax_compliance_status`
    ADD COLUMN IF NOT EXISTS `rfc` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `outcome` LowCardinality(Nullable(String)) AFTER `rfc`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `outcome`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `cfdi_version` LowCardinality(Nullable(String)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`tax_retentions`
    ADD COLUMN IF NOT EXISTS `invoice_identification` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `code` Nullable(Int64) AFTER `invoice_identification`,
    ADD COLUMN IF NOT EXISTS `issued_at` Nullable(DateTime64(6, 'UTC')) AFTER `code`,
    ADD COLUMN IF NOT EXISTS `certified_at` Nullable(DateTime64(6, 'UTC')) AFTER `issued_at`,
    ADD COLUMN IF NOT EXISTS `cancelled_at` Nullable(DateTime64(6, 'UTC')) AFTER `certified_at`,
    ADD COLUMN IF NOT EXISTS `sender_id` Nullable(String) AFTER `cancelled_at`,
    ADD COLUMN IF NOT EXISTS `sender_name` Nullable(String) AFTER `sender_id`,
    ADD COLUMN IF NOT EXISTS `receiver_id` Nullable(String) AFTER `sender_name`,
    ADD COLUMN IF NOT EXISTS `receiver_name` Nullable(String) AFTER `receiver_id`,
    ADD COLUMN IF NOT EXISTS `receiver_nationality` LowCardinality(Nullable(String)) AFTER `receiver_name`,
    ADD COLUMN IF NOT EXISTS `total_invoice_amount` Nullable(Decimal(38, 10)) AFTER `receiver_nationality`,
    ADD COLUMN IF NOT EXISTS `total_taxable_amount` Nullable(Decimal(38, 10)) AFTER `total_invoice_amount`,
    ADD COLUMN IF NOT EXISTS `total_exempt_amount` Nullable(Decimal(38, 10)) AFTER `total_taxable_amount`,
    ADD COLUMN IF NOT EXISTS `total_retained_amount` Nullable(Decimal(38, 10)) AFTER `total_exempt_amount`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `total_retained_amount`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `cfdi_version` LowCardinality(Nullable(String)) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `cfdi_version`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `ingreso_anual` Nullable(Decimal(38, 10)),
    `sueldos_impuesto_retenido` Nullable(Decimal(38, 10)),
    `sueldos_ingresos_acumulables` Nullable(Decimal(38, 10)),
    `sueldos_ingresos_exentos` Nullable(Decimal(38, 10)),
    `servicios_total_ingresos` Nullable(Decimal(38, 10)),
    `servicios_total_deducciones_autorizadas` Nullable(Decimal(38, 10)),
    `servicios_utilidad_gravable` Nullable(Decimal(38, 10)),
    `base_gravable` Nullable(Decimal(38, 10)),
    `ingresos_acumulables` Nullable(Decimal(38, 10)),
    `deducciones_personales` Nullable(Decimal(38, 10)),
    `isr_conforme_tarifa_final` Nullable(Decimal(38, 10)),
    `isr_retenido` Nullable(Decimal(38, 10)),
    `isr_favorable` Nullable(Decimal(38, 10)),
    `pagos_provisionales` Nullable(Decimal(38, 10)),
    `accion_saldo_a_favor` LowCardinality(Nullable(String)),
    `monto_acumulable_dividendos_utilidades` Nullable(Decimal(38, 10)),
    `monto_total_isr_pagado_sociedad` Nullable(Decimal(38, 10)),
    `credito_fiscal_autorizado_proyectos_investigacion_desarrollo` Nullable(Decimal(38, 10)),
    `ingresos_netos` Nullable(Decimal(38, 10)),
    `utilidad_bruta` Nullable(Decimal(38, 10)),
    `utilidad_operacion` Nullable(Decimal(38, 10)),
    `utilidad_antes_impuesto` Nullable(Decimal(38, 10)),
    `isr_estado_resultados` Nullable(Decimal(38, 10)),
    `utilidad_neta` Nullable(Decimal(38, 10)),
    `utilidad_o_perdida_fiscal_antes_de_ptu` Nullable(Decimal(38, 10)),
    `isr_total_contribuciones` Nullable(Decimal(38, 10)),
    `isr_cantidad_a_cargo` Nullable(Decimal(38, 10)),
    `isr_cantidad_a_favor` Nullable(Decimal(38, 10)),
    `isr_cantidad_a_pagar` Nullable(Decimal(38, 10)),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`tax_returns`
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `rfc` Nullable(String) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `ejercicio` Nullable(Int64) AFTER `rfc`,
    ADD COLUMN IF NOT EXISTS `periodo_declaracion` LowCardinality(Nullable(String)) AFTER `ejercicio`,
    ADD COLUMN IF NOT EXISTS `tipo_declaracion` LowCardinality(Nullable(String)) AFTER `periodo_declaracion`,
    ADD COLUMN IF NOT EXISTS `numero_operacion` Nullable(String) AFTER `tipo_declaracion`,
    ADD COLUMN IF NOT EXISTS `fecha_hora_presentacion` Nullable(DateTime64(6, 'UTC')) AFTER `numero_operacion`,
    ADD COLUMN IF NOT EXISTS `nombre` Nullable(String) AFTER `fecha_hora_presentacion`,
    ADD COLUMN IF NOT EXISTS `denominacion_razon_social` Nullable(String) AFTER `nombre`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `denominacion_razon_social`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `ingreso_anual` Nullable(Decimal(38, 10)) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `sueldos_impuesto_retenido` Nullable(Decimal(38, 10)) AFTER `ingreso_anual`,
    ADD COLUMN IF NOT EXISTS `sueldos_ingresos_acumulables` Nullable(Decimal(38, 10)) AFTER `sueldos_impuesto_retenido`,
    ADD COLUMN IF NOT EXISTS `sueldos_ingresos_exentos` Nullable(Decimal(38, 10)) AFTER `sueldos_ingresos_acumulables`,
    ADD COLUMN IF NOT EXISTS `servicios_total_ingresos` Nullable(Decimal(38, 10)) AFTER `sueldos_ingresos_exentos`,
    ADD COLUMN IF NOT EXISTS `servicios_total_deducciones_autorizadas` Nullable(Decimal(38, 10)) AFTER `servicios_total_ingresos`,
    ADD COLUMN IF NOT EXISTS `servicios_utilidad_gravable` Nullable(Decimal(38, 10)) AFTER `servicios_total_deducciones_autorizadas`,
    ADD COLUMN IF NOT EXISTS `base_gravable` Nullable(Decimal(38, 10)) AFTER `servicios_utilidad_gravable`,
    ADD COLUMN IF NOT EXISTS `ingresos_acumulables` Nullable(Decimal(38, 10)) AFTER `base_gravable`,
    ADD COLUMN IF NOT EXISTS `deducciones_personales` Nullable(Decimal(38, 10)) AFTER `ingresos_acumulables`,
    ADD COLUMN IF NOT EXISTS `isr_conforme_tarifa_final` Nullable(Decimal(38, 10)) AFTER `deducciones_personales`,
    ADD COLUMN IF NOT EXISTS `isr_retenido` Nullable(Decimal(38, 10)) AFTER `isr_conforme_tarifa_final`,
    ADD COLUMN IF NOT EXISTS `isr_favorable` Nullable(Decimal(38, 10)) AFTER `isr_retenido`,
    ADD COLUMN IF NOT EXISTS `pagos_provisionales` Nullable(Decimal(38, 10)) AFTER `isr_favorable`,
    ADD COLUMN IF NOT EXISTS `accion_saldo_a_favor` LowCardinality(Nullable(String)) AFTER `pagos_provisionales`,
    ADD COLUMN IF NOT EXISTS `monto_acumulable_dividendos_utilidades` Nullable(Decimal(38, 10)) AFTER `accion_saldo_a_favor`,
    ADD COLUMN IF NOT EXISTS `monto_total_isr_pagado_sociedad` Nullable(Decimal(38, 10)) AFTER `monto_acumulable_dividendos_utilidades`,
    ADD COLUMN IF NOT EXISTS `credito_fiscal_autorizado_proyectos_investigacion_desarrollo` Nullable(Decimal(38, 10)) AFTER `monto_total_isr_pagado_sociedad`,
    ADD COLUMN IF NOT EXISTS `ingresos_netos` Nullable(Decimal(38, 10)) AFTER `credito_fiscal_autorizado_proyectos_investigacion_desarrollo`,
    ADD COLUMN IF NOT EXISTS `utilidad_bruta` Nullable(Decimal(38, 10)) AFTER `ingresos_netos`,
    ADD COLUMN IF NOT EXISTS `utilidad_operacion` Nullable(Decimal(38, 10)) AFTER `utilidad_bruta`,
    ADD COLUMN IF NOT EXISTS `utilidad_antes_impuesto` Nullable(Decimal(38, 10)) AFTER `utilidad_operacion`,
    ADD COLUMN IF NOT EXISTS `isr_estado_resultados` Nullable(Decimal(38, 10)) AFTER `utilidad_antes_impuesto`,
    ADD COLUMN IF NOT EXISTS `utilidad_neta` Nullable(Decimal(38, 10)) AFTER `isr_estado_resultados`,
    ADD COLUMN IF NOT EXISTS `utilidad_o_perdida_fiscal_antes_de_ptu` Nullable(Decimal(38, 10)) AFTER `utilidad_neta`,
    ADD COLUMN IF NOT EXISTS `isr_total_contribuciones` Nullable(Decimal(38, 10)) AFTER `utilidad_o_perdida_fiscal_antes_de_ptu`,
    ADD COLUMN IF NOT EXISTS `isr_cantidad_a_cargo` Nullable(Decimal(38, 10)) AFTER `isr_total_contribuciones`,
    ADD COLUMN IF NOT EXISTS `isr_cantidad_a_favor` Nullable(Decimal(38, 10)) AFTER `isr_cantidad_a_cargo`,
    ADD COLUMN IF NOT EXISTS `isr_cantidad_a_pagar` Nullable(Decimal(38, 10)) AFTER `isr_cantidad_a_favor`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `isr_cantidad_a_pagar`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `place_and_date_of_issuance` Nullable(String),
    `name` Nullable(String),
    `first_last_name` Nullable(String),
    `second_last_name` Nullable(String),
    `commercial_name` Nullable(String),
    `social_name` Nullable(String),
    `email` Nullable(String),
    `phone` Nullable(String),
    `street_type` LowCardinality(Nullable(String)),
    `street` Nullable(String),
    `exterior_number` Nullable(String),
    `interior_number` Nullable(String),
    `suburb` Nullable(String),
    `locality` Nullable(String),
    `municipality` Nullable(String),
    `digital_stamp` Nullable(String),
    `digital_stamp_chain` Nullable(String),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`tax_status`
    ADD COLUMN IF NOT EXISTS `official_name` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `id_cif` Nullable(String) AFTER `official_name`,
    ADD COLUMN IF NOT EXISTS `rfc` Nullable(String) AFTER `id_cif`,
    ADD COLUMN IF NOT EXISTS `curp` Nullable(String) AFTER `rfc`,
    ADD COLUMN IF NOT EXISTS `status_padron` LowCardinality(Nullable(String)) AFTER `curp`,
    ADD COLUMN IF NOT EXISTS `start_operations_date` Nullable(Date32) AFTER `status_padron`,
    ADD COLUMN IF NOT EXISTS `last_status_change_date` Nullable(Date32) AFTER `start_operations_date`,
    ADD COLUMN IF NOT EXISTS `postal_code` Nullable(String) AFTER `last_status_change_date`,
    ADD COLUMN IF NOT EXISTS `state` LowCardinality(Nullable(String)) AFTER `postal_code`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `state`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `place_and_date_of_issuance` Nullable(String) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `name` Nullable(String) AFTER `place_and_date_of_issuance`,
    ADD COLUMN IF NOT EXISTS `first_last_name` Nullable(String) AFTER `name`,
    ADD COLUMN IF NOT EXISTS `second_last_name` Nullable(String) AFTER `first_last_name`,
    ADD COLUMN IF NOT EXISTS `commercial_name` Nullable(String) AFTER `second_last_name`,
    ADD COLUMN IF NOT EXISTS `social_name` Nullable(String) AFTER `commercial_name`,
    ADD COLUMN IF NOT EXISTS `email` Nullable(String) AFTER `social_name`,
    ADD COLUMN IF NOT EXISTS `phone` Nullable(String) AFTER `email`,
    ADD COLUMN IF NOT EXISTS `street_type` LowCardinality(Nullable(String)) AFTER `phone`,
    ADD COLUMN IF NOT EXISTS `street` Nullable(String) AFTER `street_type`,
    ADD COLUMN IF NOT EXISTS `exterior_number` Nullable(String) AFTER `street`,
    ADD COLUMN IF NOT EXISTS `interior_number` Nullable(String) AFTER `exterior_number`,
    ADD COLUMN IF NOT EXISTS `suburb` Nullable(String) AFTER `interior_number`,
    ADD COLUMN IF NOT EXISTS `locality` Nullable(String) AFTER `suburb`,
    ADD COLUMN IF NOT EXISTS `municipality` Nullable(String) AFTER `locality`,
    ADD COLUMN IF NOT EXISTS `digital_stamp` Nullable(String) AFTER `municipality`,
    ADD COLUMN IF NOT EXISTS `digital_stamp_chain` Nullable(String) AFTER `digital_stamp`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `digital_stamp_chain`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `internal_identification` Nullable(String),
    `transacted_at` Nullable(DateTime64(6, 'UTC')),
    `inferred_accounting_date` Nullable(Date32),
    `local_currency_amount` Nullable(Decimal(38, 10)),
    `observations` Nullable(String),
    `merchant_logo` Nullable(String),
    `merchant_website` Nullable(String),
    `reference` Nullable(String),
    `credit_card_collected_at` Nullable(DateTime64(6, 'UTC')),
    `bill_name` Nullable(String),
    `bill_due_date` Nullable(Date32),
    `bill_internal_identification` Nullable(String),
    `bill_status` LowCardinality(Nullable(String)),
    `previous_bill_total` Nullable(String),
    `bill_amount` Nullable(Decimal(38, 10)),
    `card_number` Nullable(String),
    `fee_type` LowCardinality(Nullable(String)),
    `fee_type_additional_info` Nullable(String),
    `credits_type` LowCardinality(Nullable(String)),
    `credits_type_additional_info` Nullable(String),
    `installment_identifier` Nullable(String),
    `number_of_installments` Nullable(Int64),
    `counterparty_type` LowCardinality(Nullable(String)),
    `counterparty_document_number` Nullable(String),
    `counterparty_clearing_code` Nullable(String),
    `counterparty_agency` Nullable(String),
    `counterparty_check_digit` Nullable(String),
    `counterparty_number` Nullable(String),
    `loan_is_detached` Nullable(Bool),
    `loan_installment_id` Nullable(String),
    `payment_type` LowCardinality(Nullable(String)),
    `operation_type` LowCardinality(Nullable(String)),
    `operation_type_additional_info` Nullable(String),
    `mcc` Nullable(Int64),
    `credit_card_bill_id` Nullable(String),
    `credit_card_bill_internal_identification` Nullable(String),
    `raw` String,
    `webhook_id` Nullable(String),
    `request_id` Nullable(String),
    `fetched_at` DateTime64(6, 'UTC'),
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`transactions`
    ADD COLUMN IF NOT EXISTS `account_id` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `account_category` LowCardinality(Nullable(String)) AFTER `account_id`,
    ADD COLUMN IF NOT EXISTS `account_type` LowCardinality(Nullable(String)) AFTER `account_category`,
    ADD COLUMN IF NOT EXISTS `institution` LowCardinality(Nullable(String)) AFTER `account_type`,
    ADD COLUMN IF NOT EXISTS `value_date` Nullable(Date32) AFTER `institution`,
    ADD COLUMN IF NOT EXISTS `accounting_date` Nullable(Date32) AFTER `value_date`,
    ADD COLUMN IF NOT EXISTS `amount` Nullable(Decimal(38, 10)) AFTER `accounting_date`,
    ADD COLUMN IF NOT EXISTS `balance` Nullable(Decimal(38, 10)) AFTER `amount`,
    ADD COLUMN IF NOT EXISTS `currency` LowCardinality(Nullable(String)) AFTER `balance`,
    ADD COLUMN IF NOT EXISTS `type` LowCardinality(Nullable(String)) AFTER `currency`,
    ADD COLUMN IF NOT EXISTS `status` LowCardinality(Nullable(String)) AFTER `type`,
    ADD COLUMN IF NOT EXISTS `category` LowCardinality(Nullable(String)) AFTER `status`,
    ADD COLUMN IF NOT EXISTS `subcategory` LowCardinality(Nullable(String)) AFTER `category`,
    ADD COLUMN IF NOT EXISTS `description` Nullable(String) AFTER `subcategory`,
    ADD COLUMN IF NOT EXISTS `merchant_name` Nullable(String) AFTER `description`,
    ADD COLUMN IF NOT EXISTS `collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `merchant_name`,
    ADD COLUMN IF NOT EXISTS `created_at` Nullable(DateTime64(6, 'UTC')) AFTER `collected_at`,
    ADD COLUMN IF NOT EXISTS `internal_identification` Nullable(String) AFTER `created_at`,
    ADD COLUMN IF NOT EXISTS `transacted_at` Nullable(DateTime64(6, 'UTC')) AFTER `internal_identification`,
    ADD COLUMN IF NOT EXISTS `inferred_accounting_date` Nullable(Date32) AFTER `transacted_at`,
    ADD COLUMN IF NOT EXISTS `local_currency_amount` Nullable(Decimal(38, 10)) AFTER `inferred_accounting_date`,
    ADD COLUMN IF NOT EXISTS `observations` Nullable(String) AFTER `local_currency_amount`,
    ADD COLUMN IF NOT EXISTS `merchant_logo` Nullable(String) AFTER `observations`,
    ADD COLUMN IF NOT EXISTS `merchant_website` Nullable(String) AFTER `merchant_logo`,
    ADD COLUMN IF NOT EXISTS `reference` Nullable(String) AFTER `merchant_website`,
    ADD COLUMN IF NOT EXISTS `credit_card_collected_at` Nullable(DateTime64(6, 'UTC')) AFTER `reference`,
    ADD COLUMN IF NOT EXISTS `bill_name` Nullable(String) AFTER `credit_card_collected_at`,
    ADD COLUMN IF NOT EXISTS `bill_due_date` Nullable(Date32) AFTER `bill_name`,
    ADD COLUMN IF NOT EXISTS `bill_internal_identification` Nullable(String) AFTER `bill_due_date`,
    ADD COLUMN IF NOT EXISTS `bill_status` LowCardinality(Nullable(String)) AFTER `bill_internal_identification`,
    ADD COLUMN IF NOT EXISTS `previous_bill_total` Nullable(String) AFTER `bill_status`,
    ADD COLUMN IF NOT EXISTS `bill_amount` Nullable(Decimal(38, 10)) AFTER `previous_bill_total`,
    ADD COLUMN IF NOT EXISTS `card_number` Nullable(String) AFTER `bill_amount`,
    ADD COLUMN IF NOT EXISTS `fee_type` LowCardinality(Nullable(String)) AFTER `card_number`,
    ADD COLUMN IF NOT EXISTS `fee_type_additional_info` Nullable(String) AFTER `fee_type`,
    ADD COLUMN IF NOT EXISTS `credits_type` LowCardinality(Nullable(String)) AFTER `fee_type_additional_info`,
    ADD COLUMN IF NOT EXISTS `credits_type_additional_info` Nullable(String) AFTER `credits_type`,
    ADD COLUMN IF NOT EXISTS `installment_identifier` Nullable(String) AFTER `credits_type_additional_info`,
    ADD COLUMN IF NOT EXISTS `number_of_installments` Nullable(Int64) AFTER `installment_identifier`,
    ADD COLUMN IF NOT EXISTS `counterparty_type` LowCardinality(Nullable(String)) AFTER `number_of_installments`,
    ADD COLUMN IF NOT EXISTS `counterparty_document_number` Nullable(String) AFTER `counterparty_type`,
    ADD COLUMN IF NOT EXISTS `counterparty_clearing_code` Nullable(String) AFTER `counterparty_document_number`,
    ADD COLUMN IF NOT EXISTS `counterparty_agency` Nullable(String) AFTER `counterparty_clearing_code`,
    ADD COLUMN IF NOT EXISTS `counterparty_check_digit` Nullable(String) AFTER `counterparty_agency`,
    ADD COLUMN IF NOT EXISTS `counterparty_number` Nullable(String) AFTER `counterparty_check_digit`,
    ADD COLUMN IF NOT EXISTS `loan_is_detached` Nullable(Bool) AFTER `counterparty_number`,
    ADD COLUMN IF NOT EXISTS `loan_installment_id` Nullable(String) AFTER `loan_is_detached`,
    ADD COLUMN IF NOT EXISTS `payment_type` LowCardinality(Nullable(String)) AFTER `loan_installment_id`,
    ADD COLUMN IF NOT EXISTS `operation_type` LowCardinality(Nullable(String)) AFTER `payment_type`,
    ADD COLUMN IF NOT EXISTS `operation_type_additional_info` Nullable(String) AFTER `operation_type`,
    ADD COLUMN IF NOT EXISTS `mcc` Nullable(Int64) AFTER `operation_type_additional_info`,
    ADD COLUMN IF NOT EXISTS `credit_card_bill_id` Nullable(String) AFTER `mcc`,
    ADD COLUMN IF NOT EXISTS `credit_card_bill_internal_identification` Nullable(String) AFTER `credit_card_bill_id`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `credit_card_bill_internal_identification`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`link_events`
    ADD COLUMN IF NOT EXISTS `webhook_code` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `process_type` LowCardinality(Nullable(String)) AFTER `webhook_code`,
    ADD COLUMN IF NOT EXISTS `status` Nullable(String) AFTER `process_type`,
    ADD COLUMN IF NOT EXISTS `error_code` LowCardinality(Nullable(String)) AFTER `status`,
    ADD COLUMN IF NOT EXISTS `error_message` Nullable(String) AFTER `error_code`,
    ADD COLUMN IF NOT EXISTS `session` Nullable(String) AFTER `error_message`,
    ADD COLUMN IF NOT EXISTS `expiry` Nullable(Int64) AFTER `session`,
    ADD COLUMN IF NOT EXISTS `received_at` Nullable(DateTime64(6, 'UTC')) AFTER `expiry`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `received_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`consent_events`
    ADD COLUMN IF NOT EXISTS `webhook_code` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `consent_id` Nullable(String) AFTER `webhook_code`,
    ADD COLUMN IF NOT EXISTS `action` LowCardinality(Nullable(String)) AFTER `consent_id`,
    ADD COLUMN IF NOT EXISTS `institution` LowCardinality(Nullable(String)) AFTER `action`,
    ADD COLUMN IF NOT EXISTS `institution_display_name` Nullable(String) AFTER `institution`,
    ADD COLUMN IF NOT EXISTS `consent_due_date` Nullable(DateTime64(6, 'UTC')) AFTER `institution_display_name`,
    ADD COLUMN IF NOT EXISTS `message` Nullable(String) AFTER `consent_due_date`,
    ADD COLUMN IF NOT EXISTS `received_at` Nullable(DateTime64(6, 'UTC')) AFTER `message`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `received_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`error_events`
    ADD COLUMN IF NOT EXISTS `webhook_type` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `webhook_code` LowCardinality(Nullable(String)) AFTER `webhook_type`,
    ADD COLUMN IF NOT EXISTS `process_type` LowCardinality(Nullable(String)) AFTER `webhook_code`,
    ADD COLUMN IF NOT EXISTS `error_code` LowCardinality(Nullable(String)) AFTER `process_type`,
    ADD COLUMN IF NOT EXISTS `error_message` Nullable(String) AFTER `error_code`,
    ADD COLUMN IF NOT EXISTS `received_at` Nullable(DateTime64(6, 'UTC')) AFTER `error_message`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `received_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`requests`
    ADD COLUMN IF NOT EXISTS `belvo_request_id` Nullable(String) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `kind` LowCardinality(Nullable(String)) AFTER `belvo_request_id`,
    ADD COLUMN IF NOT EXISTS `resource` LowCardinality(Nullable(String)) AFTER `kind`,
    ADD COLUMN IF NOT EXISTS `date_from` Nullable(Date32) AFTER `resource`,
    ADD COLUMN IF NOT EXISTS `date_to` Nullable(Date32) AFTER `date_from`,
    ADD COLUMN IF NOT EXISTS `sent_at` Nullable(DateTime64(6, 'UTC')) AFTER `date_to`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `sent_at`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

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
    `unfit_fields` Array(LowCardinality(String)),
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

ALTER TABLE `belvo`.`reconciliations`
    ADD COLUMN IF NOT EXISTS `resource` LowCardinality(Nullable(String)) AFTER `link_id`,
    ADD COLUMN IF NOT EXISTS `webhook_code` LowCardinality(Nullable(String)) AFTER `resource`,
    ADD COLUMN IF NOT EXISTS `announced` Nullable(Int64) AFTER `webhook_code`,
    ADD COLUMN IF NOT EXISTS `fetched` Nullable(Int64) AFTER `announced`,
    ADD COLUMN IF NOT EXISTS `matched` Nullable(Bool) AFTER `fetched`,
    ADD COLUMN IF NOT EXISTS `raw` String AFTER `matched`,
    ADD COLUMN IF NOT EXISTS `webhook_id` Nullable(String) AFTER `raw`,
    ADD COLUMN IF NOT EXISTS `request_id` Nullable(String) AFTER `webhook_id`,
    ADD COLUMN IF NOT EXISTS `fetched_at` DateTime64(6, 'UTC') AFTER `request_id`,
    ADD COLUMN IF NOT EXISTS `unfit_fields` Array(LowCardinality(String)) AFTER `fetched_at`,
    ADD COLUMN IF NOT EXISTS `loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6) AFTER `unfit_fields`,
    ADD COLUMN IF NOT EXISTS `topic` LowCardinality(String) AFTER `loaded_at`,
    ADD COLUMN IF NOT EXISTS `partition` Int32 AFTER `topic`,
    ADD COLUMN IF NOT EXISTS `offset` Int64 AFTER `partition`,
    ADD COLUMN IF NOT EXISTS `version` UInt64 AFTER `offset`,
    ADD COLUMN IF NOT EXISTS `is_deleted` UInt8 AFTER `version`;

-- Child views: arrays inside records (invoice line items, addresses, ...),
-- one row per element, read from the parent's raw JSON (schemas.Child).

CREATE OR REPLACE VIEW `belvo`.`account_credit_limits` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'identification_number', 'Nullable(String)') AS `identification_number`,
    JSONExtract(`e`, 'credit_limit', 'Nullable(Decimal(38, 10))') AS `credit_limit`,
    JSONExtract(`e`, 'used_amount', 'Nullable(Decimal(38, 10))') AS `used_amount`,
    JSONExtract(`e`, 'available_amount', 'Nullable(Decimal(38, 10))') AS `available_amount`,
    JSONExtract(`e`, 'is_limit_flexible', 'Nullable(Bool)') AS `is_limit_flexible`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    toLowCardinality(JSONExtract(`e`, 'consolidation_type', 'Nullable(String)')) AS `consolidation_type`,
    JSONExtract(`e`, 'line_name', 'Nullable(String)') AS `line_name`,
    JSONExtract(`e`, 'line_name_additional_info', 'Nullable(String)') AS `line_name_additional_info`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'credit_data', 'limits') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'credit_data', 'limits')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_credit_cards` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'is_multiple', 'Nullable(Bool)') AS `is_multiple`,
    JSONExtract(`e`, 'identification_number', 'Nullable(String)') AS `identification_number`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'credit_data', 'cards') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'credit_data', 'cards')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_interest_rates` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'name', 'Nullable(String)') AS `name`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'value', 'Nullable(Decimal(38, 10))') AS `value`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'tax_type', 'Nullable(String)')) AS `interest_rate_data_tax_type`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'rate_type', 'Nullable(String)')) AS `interest_rate_data_rate_type`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'type', 'Nullable(String)')) AS `interest_rate_data_type`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'calculation_base', 'Nullable(String)')) AS `interest_rate_data_calculation_base`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'reference_index_type', 'Nullable(String)')) AS `interest_rate_data_reference_index_type`,
    toLowCardinality(JSONExtract(`e`, 'interest_rate_data', 'reference_index_subtype', 'Nullable(String)')) AS `interest_rate_data_reference_index_subtype`,
    JSONExtract(`e`, 'interest_rate_data', 'reference_index_info', 'Nullable(String)') AS `interest_rate_data_reference_index_info`,
    JSONExtract(`e`, 'interest_rate_data', 'pre_fixed_rate', 'Nullable(Float64)') AS `interest_rate_data_pre_fixed_rate`,
    JSONExtract(`e`, 'interest_rate_data', 'post_fixed_rate', 'Nullable(Float64)') AS `interest_rate_data_post_fixed_rate`,
    JSONExtract(`e`, 'interest_rate_data', 'additional_info', 'Nullable(String)') AS `interest_rate_data_additional_info`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'interest_rates') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'interest_rates')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_fees` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'value', 'Nullable(Decimal(38, 10))') AS `value`,
    JSONExtract(`e`, 'name', 'Nullable(String)') AS `name`,
    JSONExtract(`e`, 'code', 'Nullable(String)') AS `code`,
    toLowCardinality(JSONExtract(`e`, 'fee_charge_type', 'Nullable(String)')) AS `fee_charge_type`,
    JSONExtract(`e`, 'fee_charge', 'Nullable(String)') AS `fee_charge`,
    JSONExtract(`e`, 'rate', 'Nullable(Float64)') AS `rate`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'fees') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'fees')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_contracted_charges` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'info', 'Nullable(String)') AS `info`,
    JSONExtract(`e`, 'rate', 'Nullable(Float64)') AS `rate`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'contracted_charges') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'contracted_charges')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_collaterals` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    toLowCardinality(JSONExtract(`e`, 'subtype', 'Nullable(String)')) AS `subtype`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'collaterals') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'collaterals')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_balloon_payments` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'due_date'), 1, 10)) AS `due_date`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'balloon_payments') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'balloon_payments')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`account_loan_disbursement_dates` AS
SELECT
    `id` AS `account_id`,
    `link_id`,
    `n` AS `position`,
    toDate32OrNull(substring(JSONExtractString(`e`), 1, 10)) AS `disbursement_date`,
    `e` AS `element`
FROM `belvo`.`accounts` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'disbursement_dates') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'disbursement_dates')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`bill_finance_charges` AS
SELECT
    `id` AS `bill_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'additional_info', 'Nullable(String)') AS `additional_info`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`bills` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'finance_charges') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'finance_charges')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`bill_payments` AS
SELECT
    `id` AS `bill_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'payment_date'), 1, 10)) AS `payment_date`,
    JSONExtract(`e`, 'payment_mode', 'Nullable(String)') AS `payment_mode`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`bills` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'payments') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payments')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`current_employment_document_ids` AS
SELECT
    `id` AS `current_employment_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'document_type', 'Nullable(String)')) AS `document_type`,
    JSONExtract(`e`, 'document_number', 'Nullable(String)') AS `document_number`,
    `e` AS `element`
FROM `belvo`.`current_employments` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'personal_data', 'document_ids') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'personal_data', 'document_ids')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`current_employment_records` AS
SELECT
    `id` AS `current_employment_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'employer', 'Nullable(String)') AS `employer`,
    JSONExtract(`e`, 'employer_id', 'Nullable(String)') AS `employer_id`,
    JSONExtract(`e`, 'employer_rfc', 'Nullable(String)') AS `employer_rfc`,
    toLowCardinality(JSONExtract(`e`, 'state', 'Nullable(String)')) AS `state`,
    JSONExtract(`e`, 'days_employed', 'Nullable(Int64)') AS `days_employed`,
    JSONExtract(`e`, 'base_salary', 'Nullable(Decimal(38, 10))') AS `base_salary`,
    JSONExtract(`e`, 'monthly_salary', 'Nullable(Decimal(38, 10))') AS `monthly_salary`,
    `e` AS `element`
FROM `belvo`.`current_employments` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'current_employment_records') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'current_employment_records')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_record_document_ids` AS
SELECT
    `id` AS `employment_record_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'document_type', 'Nullable(String)')) AS `document_type`,
    JSONExtract(`e`, 'document_number', 'Nullable(String)') AS `document_number`,
    `e` AS `element`
FROM `belvo`.`employment_records` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'personal_data', 'document_ids') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'personal_data', 'document_ids')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_record_jobs` AS
SELECT
    `id` AS `employment_record_id`,
    `link_id`,
    `n` AS `position`,
    parseDateTime64BestEffortOrNull(nullIf(JSONExtractString(`e`, 'collected_at'), ''), 6, 'UTC') AS `collected_at`,
    JSONExtract(`e`, 'employer', 'Nullable(String)') AS `employer`,
    JSONExtract(`e`, 'employer_id', 'Nullable(String)') AS `employer_id`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'start_date'), 1, 10)) AS `start_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'end_date'), 1, 10)) AS `end_date`,
    JSONExtract(`e`, 'weeks_employed', 'Nullable(Int64)') AS `weeks_employed`,
    toLowCardinality(JSONExtract(`e`, 'state', 'Nullable(String)')) AS `state`,
    JSONExtract(`e`, 'most_recent_base_salary', 'Nullable(Decimal(38, 10))') AS `most_recent_base_salary`,
    JSONExtract(`e`, 'monthly_salary', 'Nullable(Decimal(38, 10))') AS `monthly_salary`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    `e` AS `element`
FROM `belvo`.`employment_records` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'employment_records') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'employment_records')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_record_job_updates` AS
SELECT
    `id` AS `employment_record_id`,
    `link_id`,
    `n_outer` AS `parent_position`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'event', 'Nullable(String)')) AS `event`,
    JSONExtract(`e`, 'base_salary', 'Nullable(Decimal(38, 10))') AS `base_salary`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'update_date'), 1, 10)) AS `update_date`,
    `e` AS `element`
FROM
(
    SELECT `id`, `link_id`, `e_outer`, `n_outer`
    FROM `belvo`.`employment_records` FINAL
    ARRAY JOIN
        JSONExtractArrayRaw(`raw`, 'employment_records') AS `e_outer`,
        arrayEnumerate(JSONExtractArrayRaw(`raw`, 'employment_records')) AS `n_outer`
)
ARRAY JOIN
    JSONExtractArrayRaw(`e_outer`, 'employment_status_updates') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`e_outer`, 'employment_status_updates')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_record_scores` AS
SELECT
    `id` AS `employment_record_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'score', 'Nullable(Int64)') AS `score`,
    JSONExtract(`e`, 'period', 'Nullable(Int64)') AS `period`,
    toLowCardinality(JSONExtract(`e`, 'version', 'Nullable(String)')) AS `version`,
    `e` AS `element`
FROM `belvo`.`employment_records` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'employment_scores') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'employment_scores')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_occupations` AS
SELECT
    `id` AS `employment_id`,
    `link_id`,
    `n` AS `position`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'start_date'), 1, 10)) AS `start_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'end_date'), 1, 10)) AS `end_date`,
    JSONExtract(`e`, 'description', 'Nullable(String)') AS `description`,
    JSONExtract(`e`, 'name', 'Nullable(String)') AS `name`,
    JSONExtract(`e`, 'locale', 'Nullable(String)') AS `locale`,
    `e` AS `element`
FROM `belvo`.`employments` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'occupations') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'occupations')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`employment_salaries` AS
SELECT
    `id` AS `employment_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'base_amount', 'Nullable(Decimal(38, 10))') AS `base_amount`,
    JSONExtract(`e`, 'retained_amount', 'Nullable(Decimal(38, 10))') AS `retained_amount`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'month', 'Nullable(String)') AS `month`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    `e` AS `element`
FROM `belvo`.`employments` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'salaries') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'salaries')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`income_streams` AS
SELECT
    `id` AS `income_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'account_id', 'Nullable(String)') AS `account_id`,
    toLowCardinality(JSONExtract(`e`, 'income_type', 'Nullable(String)')) AS `income_type`,
    toLowCardinality(JSONExtract(`e`, 'frequency', 'Nullable(String)')) AS `frequency`,
    JSONExtract(`e`, 'monthly_average', 'Nullable(Decimal(38, 10))') AS `monthly_average`,
    JSONExtract(`e`, 'monthly_median', 'Nullable(Decimal(38, 10))') AS `monthly_median`,
    JSONExtract(`e`, 'average_income_amount', 'Nullable(Decimal(38, 10))') AS `average_income_amount`,
    JSONExtract(`e`, 'last_income_amount', 'Nullable(Decimal(38, 10))') AS `last_income_amount`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'last_income_description', 'Nullable(String)') AS `last_income_description`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'last_income_date'), 1, 10)) AS `last_income_date`,
    JSONExtract(`e`, 'stability', 'Nullable(Float64)') AS `stability`,
    JSONExtract(`e`, 'regularity', 'Nullable(Float64)') AS `regularity`,
    JSONExtract(`e`, 'trend', 'Nullable(Float64)') AS `trend`,
    JSONExtract(`e`, 'lookback_periods', 'Nullable(Int64)') AS `lookback_periods`,
    JSONExtract(`e`, 'full_periods', 'Nullable(Int64)') AS `full_periods`,
    JSONExtract(`e`, 'periods_with_income', 'Nullable(Int64)') AS `periods_with_income`,
    JSONExtract(`e`, 'number_of_incomes', 'Nullable(Int64)') AS `number_of_incomes`,
    toLowCardinality(JSONExtract(`e`, 'confidence', 'Nullable(String)')) AS `confidence`,
    `e` AS `element`
FROM `belvo`.`incomes` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'income_streams') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'income_streams')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`income_good_working_days` AS
SELECT
    `id` AS `income_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'Nullable(Int64)') AS `day`,
    `e` AS `element`
FROM `belvo`.`incomes` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'good_working_days_to_charge') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'good_working_days_to_charge')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_details` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    parseDateTime64BestEffortOrNull(nullIf(JSONExtractString(`e`, 'collected_at'), ''), 6, 'UTC') AS `collected_at`,
    JSONExtract(`e`, 'description', 'Nullable(String)') AS `description`,
    JSONExtract(`e`, 'product_identification', 'Nullable(String)') AS `product_identification`,
    JSONExtract(`e`, 'quantity', 'Nullable(Float64)') AS `quantity`,
    JSONExtract(`e`, 'unit_code', 'Nullable(String)') AS `unit_code`,
    JSONExtract(`e`, 'unit_description', 'Nullable(String)') AS `unit_description`,
    JSONExtract(`e`, 'unit_amount', 'Nullable(Decimal(38, 10))') AS `unit_amount`,
    JSONExtract(`e`, 'discount', 'Nullable(Decimal(38, 10))') AS `discount`,
    JSONExtract(`e`, 'tax_subject_code', 'Nullable(String)') AS `tax_subject_code`,
    JSONExtract(`e`, 'identifier_number', 'Nullable(String)') AS `identifier_number`,
    JSONExtract(`e`, 'pre_tax_amount', 'Nullable(Decimal(38, 10))') AS `pre_tax_amount`,
    JSONExtract(`e`, 'tax_percentage', 'Nullable(Float64)') AS `tax_percentage`,
    JSONExtract(`e`, 'tax_amount', 'Nullable(Decimal(38, 10))') AS `tax_amount`,
    JSONExtract(`e`, 'total_amount', 'Nullable(Decimal(38, 10))') AS `total_amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'invoice_details') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'invoice_details')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_detail_retained_taxes` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n_outer` AS `parent_position`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'tax_type', 'Nullable(String)')) AS `tax_type`,
    toLowCardinality(JSONExtract(`e`, 'tax', 'Nullable(String)')) AS `tax`,
    JSONExtract(`e`, 'tax_percentage', 'Nullable(Float64)') AS `tax_percentage`,
    JSONExtract(`e`, 'retained_tax_amount', 'Nullable(Decimal(38, 10))') AS `retained_tax_amount`,
    `e` AS `element`
FROM
(
    SELECT `id`, `link_id`, `e_outer`, `n_outer`
    FROM `belvo`.`invoices` FINAL
    ARRAY JOIN
        JSONExtractArrayRaw(`raw`, 'invoice_details') AS `e_outer`,
        arrayEnumerate(JSONExtractArrayRaw(`raw`, 'invoice_details')) AS `n_outer`
)
ARRAY JOIN
    JSONExtractArrayRaw(`e_outer`, 'retained_taxes') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`e_outer`, 'retained_taxes')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_detail_transferred_taxes` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n_outer` AS `parent_position`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'tax_type', 'Nullable(String)')) AS `tax_type`,
    toLowCardinality(JSONExtract(`e`, 'tax', 'Nullable(String)')) AS `tax`,
    JSONExtract(`e`, 'tax_percentage', 'Nullable(Float64)') AS `tax_percentage`,
    JSONExtract(`e`, 'transferred_tax_amount', 'Nullable(Decimal(38, 10))') AS `transferred_tax_amount`,
    `e` AS `element`
FROM
(
    SELECT `id`, `link_id`, `e_outer`, `n_outer`
    FROM `belvo`.`invoices` FINAL
    ARRAY JOIN
        JSONExtractArrayRaw(`raw`, 'invoice_details') AS `e_outer`,
        arrayEnumerate(JSONExtractArrayRaw(`raw`, 'invoice_details')) AS `n_outer`
)
ARRAY JOIN
    JSONExtractArrayRaw(`e_outer`, 'transferred_taxes') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`e_outer`, 'transferred_taxes')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_payments` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    parseDateTime64BestEffortOrNull(nullIf(JSONExtractString(`e`, 'date'), ''), 6, 'UTC') AS `date`,
    toLowCardinality(JSONExtract(`e`, 'payment_type', 'Nullable(String)')) AS `payment_type`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    JSONExtract(`e`, 'exchange_rate', 'Nullable(String)') AS `exchange_rate`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    JSONExtract(`e`, 'operation_number', 'Nullable(String)') AS `operation_number`,
    JSONExtract(`e`, 'beneficiary_rfc', 'Nullable(String)') AS `beneficiary_rfc`,
    JSONExtract(`e`, 'beneficiary_account_number', 'Nullable(String)') AS `beneficiary_account_number`,
    JSONExtract(`e`, 'payer_rfc', 'Nullable(String)') AS `payer_rfc`,
    JSONExtract(`e`, 'payer_account_number', 'Nullable(String)') AS `payer_account_number`,
    JSONExtract(`e`, 'payer_bank_name', 'Nullable(String)') AS `payer_bank_name`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'payments') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payments')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_payment_documents` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n_outer` AS `parent_position`,
    `n` AS `position`,
    JSONExtract(`e`, 'invoice_identification', 'Nullable(String)') AS `invoice_identification`,
    toLowCardinality(JSONExtract(`e`, 'currency', 'Nullable(String)')) AS `currency`,
    toLowCardinality(JSONExtract(`e`, 'payment_method', 'Nullable(String)')) AS `payment_method`,
    JSONExtract(`e`, 'partiality_number', 'Nullable(Int64)') AS `partiality_number`,
    JSONExtract(`e`, 'previous_balance', 'Nullable(Decimal(38, 10))') AS `previous_balance`,
    JSONExtract(`e`, 'amount_paid', 'Nullable(Decimal(38, 10))') AS `amount_paid`,
    JSONExtract(`e`, 'outstanding_balance', 'Nullable(Decimal(38, 10))') AS `outstanding_balance`,
    `e` AS `element`
FROM
(
    SELECT `id`, `link_id`, `e_outer`, `n_outer`
    FROM `belvo`.`invoices` FINAL
    ARRAY JOIN
        JSONExtractArrayRaw(`raw`, 'payments') AS `e_outer`,
        arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payments')) AS `n_outer`
)
ARRAY JOIN
    JSONExtractArrayRaw(`e_outer`, 'related_documents') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`e_outer`, 'related_documents')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_related_invoices` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'relationship_type', 'Nullable(String)')) AS `relationship_type`,
    JSONExtract(`e`, 'related_invoice_identification', 'Nullable(String)') AS `related_invoice_identification`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'related_invoices') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'related_invoices')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_retained_taxes` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'tax_type', 'Nullable(String)')) AS `tax_type`,
    JSONExtract(`e`, 'tax', 'Nullable(String)') AS `tax`,
    JSONExtract(`e`, 'tax_percentage', 'Nullable(Float64)') AS `tax_percentage`,
    JSONExtract(`e`, 'pre_tax_amount', 'Nullable(Decimal(38, 10))') AS `pre_tax_amount`,
    JSONExtract(`e`, 'tax_amount', 'Nullable(Decimal(38, 10))') AS `tax_amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'tax_details', 'retained_taxes') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'tax_details', 'retained_taxes')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_transferred_taxes` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'tax_type', 'Nullable(String)')) AS `tax_type`,
    JSONExtract(`e`, 'tax', 'Nullable(String)') AS `tax`,
    JSONExtract(`e`, 'tax_percentage', 'Nullable(Float64)') AS `tax_percentage`,
    JSONExtract(`e`, 'pre_tax_amount', 'Nullable(Decimal(38, 10))') AS `pre_tax_amount`,
    JSONExtract(`e`, 'tax_amount', 'Nullable(Decimal(38, 10))') AS `tax_amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'tax_details', 'transferred_taxes') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'tax_details', 'transferred_taxes')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_payroll_earnings` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'taxable_amount', 'Nullable(Decimal(38, 10))') AS `taxable_amount`,
    JSONExtract(`e`, 'vat_free_amount', 'Nullable(Decimal(38, 10))') AS `vat_free_amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'payroll', 'earnings_breakdown') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payroll', 'earnings_breakdown')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_payroll_deductions` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'payroll', 'tax_deductions') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payroll', 'tax_deductions')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`invoice_payroll_other_payments` AS
SELECT
    `id` AS `invoice_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`invoices` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'payroll', 'other_payments') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'payroll', 'other_payments')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_companies` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'Nullable(String)') AS `company_id`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'companies_id') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'companies_id')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_documents` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'type_additional_info', 'Nullable(String)') AS `type_additional_info`,
    JSONExtract(`e`, 'number', 'Nullable(String)') AS `number`,
    JSONExtract(`e`, 'check_digit', 'Nullable(String)') AS `check_digit`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'issue_date'), 1, 10)) AS `issue_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'expiration_date'), 1, 10)) AS `expiration_date`,
    JSONExtract(`e`, 'country_of_issuance', 'Nullable(String)') AS `country_of_issuance`,
    JSONExtract(`e`, 'additional_info', 'Nullable(String)') AS `additional_info`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'additional_documents') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'additional_documents')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_nationalities` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'info', 'Nullable(String)') AS `info`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'nationalities') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'nationalities')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_nationality_documents` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n_outer` AS `parent_position`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'number', 'Nullable(String)') AS `number`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'issue_date'), 1, 10)) AS `issue_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'expiration_date'), 1, 10)) AS `expiration_date`,
    toLowCardinality(JSONExtract(`e`, 'country_of_issuance', 'Nullable(String)')) AS `country_of_issuance`,
    `e` AS `element`
FROM
(
    SELECT `id`, `link_id`, `e_outer`, `n_outer`
    FROM `belvo`.`owners` FINAL
    ARRAY JOIN
        JSONExtractArrayRaw(`raw`, 'nationalities') AS `e_outer`,
        arrayEnumerate(JSONExtractArrayRaw(`raw`, 'nationalities')) AS `n_outer`
)
ARRAY JOIN
    JSONExtractArrayRaw(`e_outer`, 'documents') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`e_outer`, 'documents')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_emails` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'is_main', 'Nullable(Bool)') AS `is_main`,
    JSONExtract(`e`, 'email', 'Nullable(String)') AS `email`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'emails') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'emails')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_addresses` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'is_main', 'Nullable(Bool)') AS `is_main`,
    JSONExtract(`e`, 'address', 'Nullable(String)') AS `address`,
    JSONExtract(`e`, 'additional_info', 'Nullable(String)') AS `additional_info`,
    JSONExtract(`e`, 'district_name', 'Nullable(String)') AS `district_name`,
    JSONExtract(`e`, 'town', 'Nullable(String)') AS `town`,
    JSONExtract(`e`, 'town_code', 'Nullable(String)') AS `town_code`,
    toLowCardinality(JSONExtract(`e`, 'state', 'Nullable(String)')) AS `state`,
    JSONExtract(`e`, 'postcode', 'Nullable(String)') AS `postcode`,
    JSONExtract(`e`, 'country_name', 'Nullable(String)') AS `country_name`,
    toLowCardinality(JSONExtract(`e`, 'country_code', 'Nullable(String)')) AS `country_code`,
    JSONExtract(`e`, 'latitude', 'Nullable(String)') AS `latitude`,
    JSONExtract(`e`, 'longitude', 'Nullable(String)') AS `longitude`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'addresses') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'addresses')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_phone_numbers` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'is_main', 'Nullable(Bool)') AS `is_main`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'additional_info', 'Nullable(String)') AS `additional_info`,
    JSONExtract(`e`, 'number', 'Nullable(String)') AS `number`,
    toLowCardinality(JSONExtract(`e`, 'country_code', 'Nullable(String)')) AS `country_code`,
    JSONExtract(`e`, 'area_code', 'Nullable(String)') AS `area_code`,
    JSONExtract(`e`, 'extension', 'Nullable(String)') AS `extension`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'phone_numbers') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'phone_numbers')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_filiations` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'civil_name', 'Nullable(String)') AS `civil_name`,
    JSONExtract(`e`, 'social_name', 'Nullable(String)') AS `social_name`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'filiations') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'filiations')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_product_services` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'Nullable(String)')) AS `product_service`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'financial_relation', 'product_services') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'financial_relation', 'product_services')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_procurators` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'civil_name', 'Nullable(String)') AS `civil_name`,
    JSONExtract(`e`, 'social_name', 'Nullable(String)') AS `social_name`,
    JSONExtract(`e`, 'document_number', 'Nullable(String)') AS `document_number`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'financial_relation', 'procurators') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'financial_relation', 'procurators')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_products` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    toLowCardinality(JSONExtract(`e`, 'subtype', 'Nullable(String)')) AS `subtype`,
    JSONExtract(`e`, 'agency', 'Nullable(String)') AS `agency`,
    JSONExtract(`e`, 'clearing_code', 'Nullable(String)') AS `clearing_code`,
    JSONExtract(`e`, 'number', 'Nullable(String)') AS `number`,
    JSONExtract(`e`, 'check_digit', 'Nullable(String)') AS `check_digit`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'financial_relation', 'products') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'financial_relation', 'products')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_salary_portability_requests` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'employer_name', 'Nullable(String)') AS `employer_name`,
    JSONExtract(`e`, 'employer_id_number', 'Nullable(String)') AS `employer_id_number`,
    JSONExtract(`e`, 'employer_bank_id_number', 'Nullable(String)') AS `employer_bank_id_number`,
    JSONExtract(`e`, 'employer_bank_code', 'Nullable(String)') AS `employer_bank_code`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'portability_approval_date'), 1, 10)) AS `portability_approval_date`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'financial_relation', 'salary_portability_requests') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'financial_relation', 'salary_portability_requests')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_parties` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'person_type', 'Nullable(String)')) AS `person_type`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'display_name', 'Nullable(String)') AS `display_name`,
    JSONExtract(`e`, 'company_name', 'Nullable(String)') AS `company_name`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'start_date'), 1, 10)) AS `start_date`,
    JSONExtract(`e`, 'percentage_type', 'Nullable(Float64)') AS `percentage_type`,
    toLowCardinality(JSONExtract(`e`, 'document_type', 'Nullable(String)')) AS `document_type`,
    JSONExtract(`e`, 'document_number', 'Nullable(String)') AS `document_number`,
    toLowCardinality(JSONExtract(`e`, 'document_country', 'Nullable(String)')) AS `document_country`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'parties') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'parties')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`owner_payroll_accounts` AS
SELECT
    `id` AS `owner_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'employer_name', 'Nullable(String)') AS `employer_name`,
    JSONExtract(`e`, 'employer_id_number', 'Nullable(String)') AS `employer_id_number`,
    JSONExtract(`e`, 'employer_bank_id_number', 'Nullable(String)') AS `employer_bank_id_number`,
    JSONExtract(`e`, 'employer_bank_code', 'Nullable(String)') AS `employer_bank_code`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'account_opening_date'), 1, 10)) AS `account_opening_date`,
    `e` AS `element`
FROM `belvo`.`owners` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'financial_relation', 'payroll_accounts') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'financial_relation', 'payroll_accounts')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`recurring_expense_transactions` AS
SELECT
    `id` AS `recurring_expense_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    JSONExtract(`e`, 'description', 'Nullable(String)') AS `description`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'value_date'), 1, 10)) AS `value_date`,
    `e` AS `element`
FROM `belvo`.`recurring_expenses` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'transactions') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'transactions')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`risk_insight_accounts` AS
SELECT
    `id` AS `risk_insight_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'Nullable(String)') AS `account_id`,
    `e` AS `element`
FROM `belvo`.`risk_insights` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'accounts') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'accounts')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`risk_insight_institutions` AS
SELECT
    `id` AS `risk_insight_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'Nullable(String)')) AS `institution`,
    `e` AS `element`
FROM `belvo`.`risk_insights` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'assets_metrics', 'institutions') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'assets_metrics', 'institutions')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`risk_insight_categories` AS
SELECT
    `id` AS `risk_insight_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'category', 'Nullable(String)')) AS `category`,
    JSONExtract(`e`, 'subcategory', 'Nullable(String)') AS `subcategory`,
    JSONExtract(`e`, 'net_amount_3m', 'Nullable(Decimal(38, 10))') AS `net_amount_3m`,
    JSONExtract(`e`, 'category_inflow_ratio_3m', 'Nullable(Float64)') AS `category_inflow_ratio_3m`,
    JSONExtract(`e`, 'trend_3m', 'Nullable(Float64)') AS `trend_3m`,
    `e` AS `element`
FROM `belvo`.`risk_insights` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'category_metrics') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'category_metrics')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_retention_breakdown` AS
SELECT
    `id` AS `tax_retention_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'base_amount', 'Nullable(Decimal(38, 10))') AS `base_amount`,
    toLowCardinality(JSONExtract(`e`, 'tax_type', 'Nullable(String)')) AS `tax_type`,
    JSONExtract(`e`, 'retained_amount', 'Nullable(Decimal(38, 10))') AS `retained_amount`,
    toLowCardinality(JSONExtract(`e`, 'payment_status', 'Nullable(String)')) AS `payment_status`,
    `e` AS `element`
FROM `belvo`.`tax_retentions` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'retention_breakdown') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'retention_breakdown')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_return_salary_retentions` AS
SELECT
    `id` AS `tax_return_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'rfc_retenedor', 'Nullable(String)') AS `rfc_retenedor`,
    JSONExtract(`e`, 'monto_retenciones', 'Nullable(Decimal(38, 10))') AS `monto_retenciones`,
    JSONExtract(`e`, 'retenciones_isr', 'Nullable(Decimal(38, 10))') AS `retenciones_isr`,
    `e` AS `element`
FROM `belvo`.`tax_returns` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'retenciones', 'sueldos_salarios') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'retenciones', 'sueldos_salarios')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_return_professional_retentions` AS
SELECT
    `id` AS `tax_return_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'rfc_retenedor', 'Nullable(String)') AS `rfc_retenedor`,
    JSONExtract(`e`, 'monto_retenciones', 'Nullable(Decimal(38, 10))') AS `monto_retenciones`,
    JSONExtract(`e`, 'retenciones_isr', 'Nullable(Decimal(38, 10))') AS `retenciones_isr`,
    `e` AS `element`
FROM `belvo`.`tax_returns` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'retenciones', 'servicios_profesionales') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'retenciones', 'servicios_profesionales')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_return_medical_deductions` AS
SELECT
    `id` AS `tax_return_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'rfc_emisor', 'Nullable(String)') AS `rfc_emisor`,
    JSONExtract(`e`, 'monto_deducible', 'Nullable(Decimal(38, 10))') AS `monto_deducible`,
    `e` AS `element`
FROM `belvo`.`tax_returns` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'deducciones_personales', 'honorarios_medicos_dentales_hospitalarios') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'deducciones_personales', 'honorarios_medicos_dentales_hospitalarios')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_status_economic_activities` AS
SELECT
    `id` AS `tax_status_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'economic_activity', 'Nullable(String)') AS `economic_activity`,
    JSONExtract(`e`, 'initial_date', 'Nullable(String)') AS `initial_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'end_date'), 1, 10)) AS `end_date`,
    JSONExtract(`e`, 'order', 'Nullable(String)') AS `order`,
    JSONExtract(`e`, 'percentage', 'Nullable(String)') AS `percentage`,
    `e` AS `element`
FROM `belvo`.`tax_status` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'economic_activity') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'economic_activity')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_status_regimes` AS
SELECT
    `id` AS `tax_status_id`,
    `link_id`,
    `n` AS `position`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'end_date'), 1, 10)) AS `end_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'initial_date'), 1, 10)) AS `initial_date`,
    toLowCardinality(JSONExtract(`e`, 'regimen', 'Nullable(String)')) AS `regimen`,
    `e` AS `element`
FROM `belvo`.`tax_status` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'regimes') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'regimes')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_status_obligations` AS
SELECT
    `id` AS `tax_status_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'obligation', 'Nullable(String)') AS `obligation`,
    JSONExtract(`e`, 'expiration', 'Nullable(String)') AS `expiration`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'initial_date'), 1, 10)) AS `initial_date`,
    toDate32OrNull(substring(JSONExtractString(`e`, 'end_date'), 1, 10)) AS `end_date`,
    `e` AS `element`
FROM `belvo`.`tax_status` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'obligations') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'obligations')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`tax_status_between_streets` AS
SELECT
    `id` AS `tax_status_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'street_one', 'Nullable(String)') AS `street_one`,
    JSONExtract(`e`, 'street_two', 'Nullable(String)') AS `street_two`,
    `e` AS `element`
FROM `belvo`.`tax_status` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'address', 'between_street') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'address', 'between_street')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`transaction_loan_fees` AS
SELECT
    `id` AS `transaction_id`,
    `link_id`,
    `n` AS `position`,
    JSONExtract(`e`, 'name', 'Nullable(String)') AS `name`,
    JSONExtract(`e`, 'code', 'Nullable(String)') AS `code`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`transactions` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'fees') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'fees')) AS `n`;

CREATE OR REPLACE VIEW `belvo`.`transaction_loan_charges` AS
SELECT
    `id` AS `transaction_id`,
    `link_id`,
    `n` AS `position`,
    toLowCardinality(JSONExtract(`e`, 'type', 'Nullable(String)')) AS `type`,
    JSONExtract(`e`, 'info', 'Nullable(String)') AS `info`,
    JSONExtract(`e`, 'amount', 'Nullable(Decimal(38, 10))') AS `amount`,
    `e` AS `element`
FROM `belvo`.`transactions` FINAL
ARRAY JOIN
    JSONExtractArrayRaw(`raw`, 'loan_data', 'charges') AS `e`,
    arrayEnumerate(JSONExtractArrayRaw(`raw`, 'loan_data', 'charges')) AS `n`;
