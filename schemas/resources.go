package schemas

import (
	"fmt"
	"strings"
)

// Kind is the analytic type of a typed field. Each kind maps to exactly one
// Avro type and one ClickHouse type (see avro.go and clickhouse.go), so the
// two can never drift apart.
type Kind uint8

const (
	String    Kind = iota // Avro ["null","string"], ClickHouse Nullable(String)
	Int                   // Avro ["null","long"], ClickHouse Nullable(Int64)
	Float                 // Avro ["null","double"], ClickHouse Nullable(Float64): ratios and scores, never money
	Bool                  // Avro ["null","boolean"], ClickHouse Nullable(Bool)
	Decimal               // Avro ["null",bytes decimal(38,10)], ClickHouse Nullable(Decimal(38,10)): money
	Date                  // Avro ["null",int date], ClickHouse Nullable(Date32): Belvo's YYYY-MM-DD
	Timestamp             // Avro ["null",long timestamp-micros], ClickHouse Nullable(DateTime64(6,'UTC'))
	// Enum is a string from a small but open set (currency, type, status,
	// category). It is not an Avro enum: Belvo adds values without notice and
	// an Avro enum would refuse the first new symbol. ClickHouse stores it as
	// LowCardinality, which is what makes GROUP BY on these columns cheap.
	Enum // Avro ["null","string"], ClickHouse LowCardinality(Nullable(String))
)

// DecimalPrecision and DecimalScale bound every money value. A Belvo amount
// with more digits is never rounded: its column is null, the field named in
// the record's unfit_fields (FieldUnfit), and raw keeps the exact value.
const (
	DecimalPrecision = 38
	DecimalScale     = 10
)

// Field is one typed column pulled out of a Belvo record. The record's raw
// JSON is always kept beside the typed fields, so a field missing here is
// never lost, only not yet typed.
type Field struct {
	Name string // Avro field and ClickHouse column, snake_case
	JSON string // dotted path in Belvo's record; empty means Name
	Kind Kind
}

// Path returns the dotted JSON path of the field in a Belvo record.
func (f Field) Path() string {
	if f.JSON == "" {
		return f.Name
	}
	return f.JSON
}

// Filter names of Belvo's list endpoints that the fetcher sends besides
// link, page and page_size.
const (
	FilterCreatedAtRange   = "created_at__range"
	FilterIDIn             = "id__in"
	FilterType             = "type"
	FilterValueDateRange   = "value_date__range"
	FilterInvoiceDateRange = "invoice_date__range"
	FilterEjercicioRange   = "ejercicio__range"
)

// Resource is one Belvo REST resource: where it is listed, which webhook
// announces it, and which of its fields are typed for analytics.
type Resource struct {
	Name        string   // snake_case: table name and topic suffix
	WebhookType string   // webhook_type that announces new data
	Path        string   // list endpoint, with trailing slash
	Spec        string   // OpenAPI version whose component describes a record: "1.223.0" or "1.59.0"
	Component   string   // OpenAPI component schema of one record
	Filters     []string // filters the fetcher may send (beyond link, page, page_size)
	DateField   string   // JSON field the emulator spreads records over and the date-range filter reads
	AsyncPost   bool     // Belvo accepts POST with X-Belvo-Request-Mode: async here
	Fields      []Field  // typed columns beside id, link_id and the raw JSON
	// Key lists dotted JSON paths that identify a record Belvo sends without
	// an id; the record's id is then their values joined by KeySeparator.
	// Empty means a record without id is refused. Only used when id is
	// absent, so records that carry one keep Belvo's id.
	Key []string
	// Children are arrays in the record queried as rows of their own (see
	// Child): one view each over the table's raw JSON.
	Children []Child
}

// KeySeparator joins the values of Resource.Key into a derived id. It does
// not occur in RFCs, SAT operation numbers or period names.
const KeySeparator = "|"

// Topic returns the Kafka topic of the resource's records under prefix.
func (r Resource) Topic(prefix string) string { return prefix + ".records." + r.Name }

// Resources is the one list of Belvo resources the pipeline fetches. The
// emulator serves them, the fetcher pulls them, the Avro schemas and the
// ClickHouse DDL are generated from them; a golden test catches drift.
//
// Component names the record schema of the list endpoint's 200 response in
// Spec. Where the list mixes shapes (owners, tax returns) or the current
// spec only documents Brazil (accounts, transactions), Fields are chosen from
// every shape the endpoint returns and the comment on the row says which.
// Field names follow Belvo's JSON names (Spanish ones included), so an
// analyst can find a column in Belvo's data dictionary; nested values are
// prefixed by their parent only where the leaf name alone would be ambiguous.
var Resources = []Resource{
	// The current spec (1.223.0) documents only the OFDA Brazil shape of
	// accounts; Mexico's multi-region Account is only in 1.59.0. We name the
	// current one because it is what Belvo serves today. Fields of either
	// shape are typed; a field of one region only (overdraft, loan
	// installments) is null in the other's records, and where both carry a
	// field its kind reads both declared types, so records of either region
	// convert.
	{Name: "accounts", WebhookType: "ACCOUNTS", Path: "/api/accounts/", Spec: "1.223.0", Component: "AccountOpenFinanceBrazil",
		DateField: "created_at",
		Fields: []Field{
			{Name: "institution", JSON: "institution.name", Kind: Enum},
			{Name: "category", Kind: Enum},
			{Name: "type", Kind: Enum},
			{Name: "subtype", Kind: Enum},
			{Name: "balance_type", Kind: Enum},
			{Name: "name", Kind: String},
			{Name: "number", Kind: String},
			{Name: "currency", Kind: Enum},
			{Name: "balance_current", JSON: "balance.current", Kind: Decimal},
			{Name: "balance_available", JSON: "balance.available", Kind: Decimal},
			{Name: "credit_limit", JSON: "credit_data.credit_limit", Kind: Decimal},
			{Name: "internal_identification", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "last_accessed_at", Kind: Timestamp},
			{Name: "institution_type", JSON: "institution.type", Kind: Enum},
			{Name: "overdraft_arranged", JSON: "overdraft.arranged", Kind: Decimal},
			{Name: "overdraft_used", JSON: "overdraft.used", Kind: Decimal},
			{Name: "overdraft_unarranged", JSON: "overdraft.unarranged", Kind: Decimal},
			{Name: "agency", Kind: String},
			{Name: "check_digit", Kind: String},
			{Name: "balance_blocked", JSON: "balance.blocked", Kind: Decimal},
			{Name: "balance_automatically_invested", JSON: "balance.automatically_invested", Kind: Decimal},
			{Name: "public_identification_name", Kind: String},
			{Name: "public_identification_value", Kind: String},
			{Name: "credit_collected_at", JSON: "credit_data.collected_at", Kind: Timestamp},
			{Name: "credit_cutting_date", JSON: "credit_data.cutting_date", Kind: Date},
			{Name: "credit_minimum_payment", JSON: "credit_data.minimum_payment", Kind: Decimal},
			{Name: "credit_network", JSON: "credit_data.network", Kind: Enum},
			{Name: "credit_network_additional_info", JSON: "credit_data.network_additional_info", Kind: String},
			{Name: "credit_next_payment_date", JSON: "credit_data.next_payment_date", Kind: String},
			{Name: "credit_no_interest_payment", JSON: "credit_data.no_interest_payment", Kind: Decimal},
			{Name: "credit_interest_rate", JSON: "credit_data.interest_rate", Kind: Float},
			{Name: "credit_monthly_payment", JSON: "credit_data.monthly_payment", Kind: Decimal},
			{Name: "credit_last_payment_date", JSON: "credit_data.last_payment_date", Kind: String},
			{Name: "loan_collected_at", JSON: "loan_data.collected_at", Kind: Timestamp},
			{Name: "loan_code", JSON: "loan_data.loan_code", Kind: String},
			{Name: "loan_contract_amount", JSON: "loan_data.contract_amount", Kind: Decimal},
			{Name: "loan_total_effective_cost", JSON: "loan_data.total_effective_cost", Kind: Decimal},
			{Name: "loan_type", JSON: "loan_data.loan_type", Kind: Enum},
			{Name: "loan_outstanding_balance", JSON: "loan_data.outstanding_balance", Kind: Decimal},
			{Name: "loan_installments_contract_term_frequency", JSON: "loan_data.installments_contract_term_frequency", Kind: Enum},
			{Name: "loan_installment_frequency", JSON: "loan_data.installment_frequency", Kind: Enum},
			{Name: "loan_installment_frequency_info", JSON: "loan_data.installment_frequency_info", Kind: String},
			{Name: "loan_first_installment_due_date", JSON: "loan_data.first_installment_due_date", Kind: Date},
			{Name: "loan_number_of_installments_total", JSON: "loan_data.number_of_installments_total", Kind: Int},
			{Name: "loan_number_of_installments_outstanding", JSON: "loan_data.number_of_installments_outstanding", Kind: Int},
			{Name: "loan_number_of_installments_paid", JSON: "loan_data.number_of_installments_paid", Kind: Int},
			{Name: "loan_number_of_installments_past_due", JSON: "loan_data.number_of_installments_past_due", Kind: Int},
			{Name: "loan_settlement_date", JSON: "loan_data.settlement_date", Kind: String},
			{Name: "loan_contract_start_date", JSON: "loan_data.contract_start_date", Kind: Date},
			{Name: "loan_contract_end_date", JSON: "loan_data.contract_end_date", Kind: Date},
			{Name: "loan_contract_remaining_frequency", JSON: "loan_data.contract_remaining_frequency", Kind: Enum},
			{Name: "loan_contract_remaining_total", JSON: "loan_data.contract_remaining_total", Kind: Int},
			{Name: "loan_amortization_schedule", JSON: "loan_data.amortization_schedule", Kind: Enum},
			{Name: "loan_amortization_schedule_info", JSON: "loan_data.amortization_schedule_info", Kind: String},
			{Name: "loan_consignee_id", JSON: "loan_data.consignee_id", Kind: String},
			{Name: "loan_contract_number", JSON: "loan_data.contract_number", Kind: String},
			{Name: "loan_monthly_payment", JSON: "loan_data.monthly_payment", Kind: Decimal},
			{Name: "loan_principal", JSON: "loan_data.principal", Kind: Decimal},
			{Name: "loan_payment_day", JSON: "loan_data.payment_day", Kind: String},
			{Name: "loan_outstanding_principal", JSON: "loan_data.outstanding_principal", Kind: Decimal},
			{Name: "loan_credit_limit", JSON: "loan_data.credit_limit", Kind: Decimal},
			{Name: "loan_last_period_balance", JSON: "loan_data.last_period_balance", Kind: Decimal},
			{Name: "loan_interest_rate", JSON: "loan_data.interest_rate", Kind: Float},
			{Name: "loan_limit_day", JSON: "loan_data.limit_day", Kind: String},
			{Name: "loan_cutting_day", JSON: "loan_data.cutting_day", Kind: String},
			{Name: "loan_cutting_date", JSON: "loan_data.cutting_date", Kind: String},
			{Name: "loan_last_payment_date", JSON: "loan_data.last_payment_date", Kind: String},
			{Name: "loan_no_interest_payment", JSON: "loan_data.no_interest_payment", Kind: Decimal},
		},
		Children: accountsChildren},
	{Name: "bills", WebhookType: "BILLS", Path: "/api/bills/", Spec: "1.223.0", Component: "Bill",
		Filters: []string{FilterCreatedAtRange}, DateField: "created_at",
		Fields: []Field{
			{Name: "account_id", JSON: "account.id", Kind: String},
			{Name: "bill_name", Kind: String},
			{Name: "due_date", Kind: Date},
			{Name: "currency", Kind: Enum},
			{Name: "total_amount", Kind: Decimal},
			{Name: "minimum_amount", Kind: Decimal},
			{Name: "is_installment", Kind: Bool},
			{Name: "internal_identification", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
		},
		Children: billsChildren},
	{Name: "current_employments", WebhookType: "CURRENT_EMPLOYMENTS", Path: "/api/mx/current-employments/", Spec: "1.223.0", Component: "CurrentEmployment",
		DateField: "created_at",
		Fields: []Field{
			// month is "YYYY-MM", not a date: kept as text rather than
			// inventing a day.
			{Name: "month", Kind: String},
			{Name: "status", Kind: Enum},
			{Name: "internal_identification", Kind: String},
			{Name: "official_name", JSON: "personal_data.official_name", Kind: String},
			{Name: "birth_date", JSON: "personal_data.birth_date", Kind: Date},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "first_name", JSON: "personal_data.first_name", Kind: String},
			{Name: "last_name", JSON: "personal_data.last_name", Kind: String},
		},
		Children: currentEmploymentsChildren},
	{Name: "employment_metrics", WebhookType: "EMPLOYMENT_METRICS", Path: "/api/employment-metrics/", Spec: "1.223.0", Component: "EmploymentMetric",
		DateField: "created_at",
		Fields: []Field{
			{Name: "reference_date", Kind: Date},
			{Name: "current_status", Kind: Enum},
			{Name: "age", Kind: Int},
			{Name: "current_employer_count", Kind: Int},
			{Name: "employer_count", Kind: Int},
			{Name: "unique_employer_count", Kind: Int},
			{Name: "weeks_employed_total", Kind: Float},
			{Name: "weeks_since_last_job", Kind: Float},
			{Name: "base_salary_last", Kind: Decimal},
			{Name: "average_monthly_salary_1y", Kind: Decimal},
			{Name: "average_monthly_salary_3y", Kind: Decimal},
			{Name: "average_monthly_salary_5y", Kind: Decimal},
			{Name: "yearly_change_1y", Kind: Float},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "updated_at", Kind: Timestamp},
			{Name: "weeks_employed_last_job", Kind: Float},
			{Name: "weeks_with_multiple_employers", Kind: Float},
			{Name: "employers_per_year", Kind: Float},
			{Name: "weeks_between_jobs", Kind: Float},
			{Name: "max_weeks_between_jobs", Kind: Float},
			{Name: "increases_last_job", Kind: Int},
			{Name: "decreases_last_job", Kind: Int},
			{Name: "increases_after_change", Kind: Int},
			{Name: "decreases_after_change", Kind: Int},
			{Name: "increases_overall", Kind: Int},
			{Name: "decreases_overall", Kind: Int},
			{Name: "increases_1y", Kind: Int},
			{Name: "decreases_1y", Kind: Int},
			{Name: "increases_3y", Kind: Int},
			{Name: "decreases_3y", Kind: Int},
			{Name: "increases_5y", Kind: Int},
			{Name: "decreases_5y", Kind: Int},
			{Name: "yearly_change_3y", Kind: Float},
			{Name: "yearly_change_5y", Kind: Float},
			{Name: "min_monthly_salary_1y", Kind: Decimal},
			{Name: "min_monthly_salary_3y", Kind: Decimal},
			{Name: "min_monthly_salary_5y", Kind: Decimal},
			{Name: "max_monthly_salary_1y", Kind: Decimal},
			{Name: "max_monthly_salary_3y", Kind: Decimal},
			{Name: "max_monthly_salary_5y", Kind: Decimal},
		}},
	{Name: "employment_records", WebhookType: "EMPLOYMENT_RECORDS", Path: "/api/employment-records/", Spec: "1.223.0", Component: "EmploymentRecord",
		DateField: "created_at", AsyncPost: true,
		Fields: []Field{
			{Name: "report_date", Kind: Date},
			{Name: "days_since_extraction", Kind: Int},
			{Name: "internal_identification", Kind: String},
			{Name: "official_name", JSON: "personal_data.official_name", Kind: String},
			{Name: "weeks_contributed", JSON: "social_security_summary.weeks_contributed", Kind: Int},
			{Name: "employment_status_estimate", JSON: "salary_estimation.employment_status_estimate", Kind: Enum},
			{Name: "base_salary_estimate", JSON: "salary_estimation.base_salary_estimate", Kind: Decimal},
			{Name: "salary_currency", JSON: "salary_estimation.currency", Kind: Enum},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "first_name", JSON: "personal_data.first_name", Kind: String},
			{Name: "last_name", JSON: "personal_data.last_name", Kind: String},
			{Name: "birth_date", JSON: "personal_data.birth_date", Kind: Date},
			{Name: "email", JSON: "personal_data.email", Kind: String},
			{Name: "weeks_redeemed", JSON: "social_security_summary.weeks_redeemed", Kind: Int},
			{Name: "weeks_reinstated", JSON: "social_security_summary.weeks_reinstated", Kind: Int},
		},
		Children: employmentRecordsChildren},
	{Name: "employments", WebhookType: "EMPLOYMENTS", Path: "/api/br/employments/", Spec: "1.223.0", Component: "EmploymentBrazil",
		Filters: []string{FilterCreatedAtRange}, DateField: "created_at", AsyncPost: true,
		Fields: []Field{
			{Name: "start_date", Kind: Date},
			{Name: "end_date", Kind: Date},
			{Name: "employer_name", JSON: "employer_data.name", Kind: String},
			{Name: "employer_code", JSON: "employer_data.code", Kind: String},
			{Name: "economic_activity", JSON: "employer_data.economic_activity", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
		},
		Children: employmentsChildren},
	{Name: "financial_statements", WebhookType: "FINANCIAL_STATEMENTS", Path: "/api/financial-statements/", Spec: "1.223.0", Component: "FinancialStatement",
		DateField: "created_at", AsyncPost: true,
		Fields: []Field{
			// The spec types year as a string but its example is the number
			// 2020; Int accepts both.
			{Name: "year", Kind: Int},
			{Name: "currency", Kind: Enum},
			{Name: "error", Kind: String},
			{Name: "current_assets_total", JSON: "balance_sheet.current_assets.total", Kind: Decimal},
			{Name: "non_current_assets_total", JSON: "balance_sheet.non_current_assets.total", Kind: Decimal},
			{Name: "current_liabilities_total", JSON: "balance_sheet.current_liabilities.total", Kind: Decimal},
			{Name: "non_current_liabilities_total", JSON: "balance_sheet.non_current_liabilities.total", Kind: Decimal},
			{Name: "equity_total", JSON: "balance_sheet.equity.total", Kind: Decimal},
			{Name: "net_revenue", JSON: "income_statement.net_revenue", Kind: Decimal},
			{Name: "gross_profit", JSON: "income_statement.gross_profit", Kind: Decimal},
			{Name: "operating_income", JSON: "income_statement.operating_income", Kind: Decimal},
			{Name: "income_before_taxes", JSON: "income_statement.income_before_taxes", Kind: Decimal},
			{Name: "net_income", JSON: "income_statement.net_income", Kind: Decimal},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "domestic_sales", JSON: "income_statement.domestic_sales", Kind: Decimal},
			{Name: "foreign_sales", JSON: "income_statement.foreign_sales", Kind: Decimal},
			{Name: "materials_used", JSON: "income_statement.materials_used", Kind: Decimal},
			{Name: "cost_of_goods_sold", JSON: "income_statement.cost_of_goods_sold", Kind: Decimal},
			{Name: "cost_of_services_sold", JSON: "income_statement.cost_of_services_sold", Kind: Decimal},
			{Name: "gross_loss", JSON: "income_statement.gross_loss", Kind: Decimal},
			{Name: "operating_expenses", JSON: "income_statement.operating_expenses", Kind: Decimal},
			{Name: "operating_loss", JSON: "income_statement.operating_loss", Kind: Decimal},
			{Name: "financial_result", JSON: "income_statement.financial_result", Kind: Decimal},
			{Name: "income_statement_financial_gains", JSON: "income_statement.income_statement_financial_gains", Kind: Decimal},
			{Name: "income_statement_financial_costs", JSON: "income_statement.income_statement_financial_costs", Kind: Decimal},
			{Name: "equity_in_earnings_of_affiliates", JSON: "income_statement.equity_in_earnings_of_affiliates", Kind: Decimal},
			{Name: "loss_before_taxes", JSON: "income_statement.loss_before_taxes", Kind: Decimal},
			{Name: "income_taxes", JSON: "income_statement.income_taxes", Kind: Decimal},
			{Name: "income_from_continuing_operations", JSON: "income_statement.income_from_continuing_operations", Kind: Float},
			{Name: "loss_from_continuing_operations", JSON: "income_statement.loss_from_continuing_operations", Kind: Float},
			{Name: "discontinued_operations", JSON: "income_statement.discontinued_operations", Kind: Float},
			{Name: "net_loss", JSON: "income_statement.net_loss", Kind: Decimal},
		}},
	{Name: "incomes", WebhookType: "INCOMES", Path: "/api/incomes/", Spec: "1.223.0", Component: "Income",
		DateField: "created_at",
		Fields: []Field{
			{Name: "income_source_type", Kind: Enum},
			{Name: "first_transaction_date", Kind: Date},
			{Name: "last_transaction_date", Kind: Date},
			{Name: "number_of_income_streams", Kind: Int},
			{Name: "best_working_day_to_charge", Kind: Int},
			{Name: "monthly_average", Kind: Decimal},
			{Name: "monthly_average_regular", Kind: Decimal},
			{Name: "monthly_average_irregular", Kind: Decimal},
			{Name: "total_income_amount", Kind: Decimal},
			{Name: "total_regular_income_amount", Kind: Decimal},
			{Name: "total_irregular_income_amount", Kind: Decimal},
			{Name: "created_at", Kind: Timestamp},
			{Name: "monthly_average_low_confidence", Kind: Float},
			{Name: "monthly_average_medium_confidence", Kind: Float},
			{Name: "monthly_average_high_confidence", Kind: Float},
			{Name: "total_low_confidence", Kind: Float},
			{Name: "total_medium_confidence", Kind: Float},
			{Name: "total_high_confidence", Kind: Float},
		},
		Children: incomesChildren},
	{Name: "investment_transactions", WebhookType: "INVESTMENT_TRANSACTIONS", Path: "/api/br/investment-transactions/", Spec: "1.223.0", Component: "InvestmentTransactionBrazil",
		Filters: []string{FilterCreatedAtRange}, DateField: "created_at",
		Fields: []Field{
			{Name: "investment_id", JSON: "investment.id", Kind: String},
			{Name: "investment_type", JSON: "investment.type", Kind: Enum},
			{Name: "currency", JSON: "investment.currency", Kind: Enum},
			{Name: "internal_identification", Kind: String},
			{Name: "value_date", Kind: Date},
			{Name: "type", Kind: Enum},
			{Name: "subtype", Kind: Enum},
			// A quantity of units is not money; fund units routinely carry
			// more decimals than a price, so it stays a float.
			{Name: "quantity", Kind: Float},
			{Name: "unit_price", Kind: Decimal},
			{Name: "gross_value", Kind: Decimal},
			{Name: "net_value", Kind: Decimal},
			{Name: "value", Kind: Decimal},
			{Name: "income_tax", Kind: Decimal},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "price_factor", Kind: Float},
			{Name: "transaction_tax", Kind: Decimal},
			{Name: "subtype_additional_info", Kind: String},
			{Name: "indexer_percentage", Kind: Float},
			{Name: "rate", Kind: Float},
			{Name: "exit_fee", Kind: Decimal},
			{Name: "broker_note_number", JSON: "broker_note_details.broker_note_number", Kind: String},
			{Name: "broker_gross_value", JSON: "broker_note_details.gross_value", Kind: Decimal},
			{Name: "broker_brokerage_fee", JSON: "broker_note_details.brokerage_fee", Kind: Decimal},
			{Name: "broker_clearing_settlement_fee", JSON: "broker_note_details.clearing_settlement_fee", Kind: Decimal},
			{Name: "broker_clearing_registration_fee", JSON: "broker_note_details.clearing_registration_fee", Kind: Float},
			{Name: "broker_stock_exchange_asset_trade_notice_fee", JSON: "broker_note_details.stock_exchange_asset_trade_notice_fee", Kind: Decimal},
			{Name: "broker_stock_exchange_fee", JSON: "broker_note_details.stock_exchange_fee", Kind: Decimal},
			{Name: "broker_clearing_custody_fee", JSON: "broker_note_details.clearing_custody_fee", Kind: Decimal},
			{Name: "broker_taxes", JSON: "broker_note_details.taxes", Kind: Decimal},
			{Name: "broker_income_tax", JSON: "broker_note_details.income_tax", Kind: Decimal},
			{Name: "broker_net_value", JSON: "broker_note_details.net_value", Kind: Decimal},
		}},
	// InvestmentBrazil has neither link nor collected_at: the link comes from
	// the fetch lineage like for every resource.
	{Name: "investments", WebhookType: "INVESTMENTS", Path: "/api/br/investments/", Spec: "1.223.0", Component: "InvestmentBrazil",
		DateField: "created_at",
		Fields: []Field{
			{Name: "type", Kind: Enum},
			{Name: "category", JSON: "classification_details.category", Kind: Enum},
			{Name: "product_name", Kind: String},
			{Name: "currency", Kind: Enum},
			{Name: "isin_number", Kind: String},
			{Name: "issuer_id_number", Kind: String},
			{Name: "is_tax_exempt", Kind: Bool},
			{Name: "issue_date", Kind: Date},
			{Name: "purchase_date", Kind: Date},
			{Name: "due_date", Kind: Date},
			{Name: "balance_reference_date", JSON: "balance.reference_date", Kind: Timestamp},
			{Name: "balance_gross_value", JSON: "balance.gross_value", Kind: Decimal},
			{Name: "balance_net_value", JSON: "balance.net_value", Kind: Decimal},
			{Name: "balance_quantity", JSON: "balance.quantity", Kind: Float},
			{Name: "indexer", JSON: "remuneration.indexer", Kind: Enum},
			{Name: "pre_fixed_rate", JSON: "remuneration.pre_fixed_rate", Kind: Float},
			{Name: "clearing_code", Kind: String},
			{Name: "grace_period_date", Kind: Date},
			{Name: "issue_unit_price", Kind: Decimal},
			{Name: "balance_blocked_amount", JSON: "balance.blocked_amount", Kind: Decimal},
			{Name: "balance_gross_unit_price", JSON: "balance.gross_unit_price", Kind: Decimal},
			{Name: "balance_withheld_amount", JSON: "balance.withheld_amount", Kind: Decimal},
			{Name: "balance_transaction_fee", JSON: "balance.transaction_fee", Kind: Decimal},
			{Name: "balance_purchase_unit_price", JSON: "balance.purchase_unit_price", Kind: Decimal},
			{Name: "balance_pre_fixed_rate", JSON: "balance.pre_fixed_rate", Kind: Float},
			{Name: "balance_post_fixed_rate", JSON: "balance.post_fixed_rate", Kind: Float},
			{Name: "balance_penalty_fee", JSON: "balance.penalty_fee", Kind: Decimal},
			{Name: "balance_late_payment_fee", JSON: "balance.late_payment_fee", Kind: Decimal},
			{Name: "balance_closing_price", JSON: "balance.closing_price", Kind: Decimal},
			{Name: "balance_unit_price_factor", JSON: "balance.unit_price_factor", Kind: Float},
			{Name: "remuneration_post_fixed_rate", JSON: "remuneration.post_fixed_rate", Kind: Float},
			{Name: "rate_type", JSON: "remuneration.rate_type", Kind: Enum},
			{Name: "rate_periodicity", JSON: "remuneration.rate_periodicity", Kind: Enum},
			{Name: "calculation_base", JSON: "remuneration.calculation_base", Kind: Enum},
			{Name: "indexer_additional_info", JSON: "remuneration.indexer_additional_info", Kind: String},
			{Name: "class", JSON: "classification_details.class", Kind: Enum},
			{Name: "subclass", JSON: "classification_details.subclass", Kind: Enum},
			{Name: "is_voucher_payment", JSON: "voucher_payment_details.is_voucher_payment", Kind: Bool},
			{Name: "voucher_periodicity", JSON: "voucher_payment_details.periodicity", Kind: Enum},
			{Name: "voucher_periodicity_additional_info", JSON: "voucher_payment_details.periodicity_additional_info", Kind: String},
			{Name: "debtor_name", JSON: "debtor_details.name", Kind: String},
			{Name: "debtor_id_document_number", JSON: "debtor_details.id_document_number", Kind: String},
		}},
	{Name: "invoices", WebhookType: "INVOICES", Path: "/api/invoices/", Spec: "1.223.0", Component: "InvoiceWithIdSat",
		Filters: []string{FilterType, FilterInvoiceDateRange, FilterIDIn}, DateField: "invoice_date", AsyncPost: true,
		Fields: []Field{
			{Name: "invoice_identification", Kind: String},
			{Name: "invoice_date", Kind: Date},
			{Name: "invoice_type", Kind: Enum},
			{Name: "type", Kind: Enum},
			{Name: "status", Kind: Enum},
			{Name: "sender_id", Kind: String},
			{Name: "sender_name", Kind: String},
			{Name: "receiver_id", Kind: String},
			{Name: "receiver_name", Kind: String},
			{Name: "currency", Kind: Enum},
			// Decimal, not Float: it multiplies money (total_amount *
			// exchange_rate), and SAT states it with up to 6 decimals.
			{Name: "exchange_rate", Kind: Decimal},
			{Name: "subtotal_amount", Kind: Decimal},
			{Name: "tax_amount", Kind: Decimal},
			{Name: "discount_amount", Kind: Decimal},
			{Name: "total_amount", Kind: Decimal},
			{Name: "payment_method", Kind: Enum},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "total_tax_retained", JSON: "tax_details.total_tax_retained", Kind: Decimal},
			{Name: "total_tax_transferred", JSON: "tax_details.total_tax_transferred", Kind: Decimal},
			{Name: "sender_fiscal_regime", Kind: Enum},
			{Name: "sender_tax_fraud_status", Kind: Enum},
			{Name: "receiver_postal_code", Kind: String},
			{Name: "receiver_fiscal_regime", Kind: Enum},
			{Name: "receiver_tax_fraud_status", Kind: Enum},
			{Name: "cancelation_status", Kind: Enum},
			{Name: "cancelation_update_date", Kind: Date},
			{Name: "certification_date", Kind: Date},
			{Name: "certification_authority", Kind: String},
			{Name: "payment_type", Kind: Enum},
			{Name: "payment_type_description", Kind: String},
			{Name: "payment_method_description", Kind: String},
			{Name: "usage", Kind: Enum},
			{Name: "invoice_version", JSON: "version", Kind: Enum},
			{Name: "place_of_issue", Kind: String},
			{Name: "payroll_days", JSON: "payroll.days", Kind: Int},
			{Name: "payroll_type", JSON: "payroll.type", Kind: Enum},
			{Name: "payroll_amount", JSON: "payroll.amount", Kind: Decimal},
			{Name: "payroll_version", JSON: "payroll.version", Kind: Enum},
			{Name: "payroll_date_from", JSON: "payroll.date_from", Kind: Date},
			{Name: "payroll_date_to", JSON: "payroll.date_to", Kind: Date},
			{Name: "payroll_collected_at", JSON: "payroll.collected_at", Kind: Timestamp},
			{Name: "payroll_payment_date", JSON: "payroll.payment_date", Kind: Date},
			{Name: "payroll_periodicity", JSON: "payroll.periodicity", Kind: Enum},
			{Name: "folio", Kind: String},
			{Name: "series", Kind: String},
			{Name: "export_type", Kind: Enum},
			{Name: "warnings_code", JSON: "warnings.code", Kind: String},
			{Name: "warnings_message", JSON: "warnings.message", Kind: String},
			{Name: "sender_blacklist_status", Kind: Enum},
			{Name: "receiver_blacklist_status", Kind: Enum},
		},
		Children: invoicesChildren},
	// The owners list returns one of three shapes per link: OFDA individual
	// (named here, matching accounts), OFDA business, or multi-region Owner.
	// display_name and birth_date come from the individual and multi-region
	// shapes, company_name and incorporation_date from the business one.
	{Name: "owners", WebhookType: "OWNERS", Path: "/api/owners/", Spec: "1.223.0", Component: "OwnerIndividualOpenFinanceBrazil",
		DateField: "created_at",
		Fields: []Field{
			{Name: "display_name", Kind: String},
			{Name: "company_name", Kind: String},
			{Name: "document_type", JSON: "document_id.document_type", Kind: Enum},
			{Name: "document_number", JSON: "document_id.document_number", Kind: String},
			{Name: "email", Kind: String},
			{Name: "phone_number", Kind: String},
			{Name: "address", Kind: String},
			{Name: "birth_date", Kind: Date},
			{Name: "incorporation_date", Kind: Date},
			{Name: "internal_identification", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "social_name", Kind: String},
			{Name: "marital_status", Kind: Enum},
			{Name: "marital_status_additional_info", Kind: String},
			{Name: "gender", Kind: Enum},
			{Name: "is_local_resident", Kind: Bool},
			{Name: "company_id", JSON: "financial_profile.company_id", Kind: String},
			{Name: "occupation_code", JSON: "financial_profile.occupation_code", Kind: String},
			{Name: "occupation_description", JSON: "financial_profile.occupation_description", Kind: String},
			{Name: "financial_relation_start_date", JSON: "financial_relation.start_date", Kind: Timestamp},
			{Name: "financial_relation_product_services_additional_info", JSON: "financial_relation.product_services_additional_info", Kind: String},
			// Multi-region (first/last names) and business (trade name) shapes.
			{Name: "first_name", Kind: String},
			{Name: "last_name", Kind: String},
			{Name: "second_last_name", Kind: String},
			{Name: "trade_name", Kind: String},
			{Name: "informed_income_amount", JSON: "financial_profile.informed_income.amount", Kind: Decimal},
			{Name: "informed_income_currency", JSON: "financial_profile.informed_income.currency", Kind: Enum},
			{Name: "informed_income_frequency", JSON: "financial_profile.informed_income.frequency", Kind: Enum},
			{Name: "patrimony_amount", JSON: "financial_profile.patrimony.amount", Kind: Decimal},
			{Name: "patrimony_currency", JSON: "financial_profile.patrimony.currency", Kind: Enum},
		},
		Children: ownersChildren},
	// RecurringExpenses carries no currency of its own: the account's is the
	// currency of its amounts.
	{Name: "recurring_expenses", WebhookType: "RECURRING_EXPENSES", Path: "/api/recurring-expenses/", Spec: "1.223.0", Component: "RecurringExpenses",
		DateField: "created_at",
		Fields: []Field{
			{Name: "account_id", JSON: "account.id", Kind: String},
			{Name: "account_category", JSON: "account.category", Kind: Enum},
			{Name: "currency", JSON: "account.currency", Kind: Enum},
			{Name: "name", Kind: String},
			{Name: "frequency", Kind: Enum},
			{Name: "category", Kind: Enum},
			{Name: "payment_type", Kind: Enum},
			{Name: "average_transaction_amount", Kind: Decimal},
			{Name: "median_transaction_amount", Kind: Decimal},
			{Name: "days_since_last_transaction", Kind: Int},
		},
		Children: recurringExpensesChildren},
	{Name: "risk_insights", WebhookType: "RISK_INSIGHTS", Path: "/api/risk-insights/", Spec: "1.223.0", Component: "RiskInsights",
		DateField: "created_at",
		Fields: []Field{
			{Name: "checking_accounts_balance", JSON: "assets_metrics.checking_accounts_balance", Kind: Decimal},
			{Name: "savings_accounts_balance", JSON: "assets_metrics.savings_accounts_balance", Kind: Decimal},
			{Name: "closing_balance", JSON: "balances_metrics.closing_balance", Kind: Decimal},
			{Name: "days_balance_below_0_1m", JSON: "balances_metrics.days_balance_below_0_1m", Kind: Int},
			{Name: "sum_credit_limit", JSON: "credit_cards_metrics.sum_credit_limit", Kind: Decimal},
			{Name: "sum_credit_used", JSON: "credit_cards_metrics.sum_credit_used", Kind: Decimal},
			{Name: "credit_card_limit_utilization", JSON: "credit_cards_metrics.credit_card_limit_utilization", Kind: Float},
			{Name: "sum_loans_outstanding_principal", JSON: "loans_metrics.sum_loans_outstanding_principal", Kind: Decimal},
			{Name: "loan_limit_utilization", JSON: "loans_metrics.loan_limit_utilization", Kind: Float},
			{Name: "num_transactions_1m", JSON: "transactions_metrics.num_transactions_1m", Kind: Int},
			{Name: "sum_incoming_amount_1m", JSON: "transactions_metrics.sum_incoming_amount_1m", Kind: Decimal},
			{Name: "sum_outgoing_amount_1m", JSON: "transactions_metrics.sum_outgoing_amount_1m", Kind: Decimal},
			{Name: "days_history", JSON: "transactions_metrics.days_history", Kind: Int},
			{Name: "net_cashflow_1m", JSON: "cashflow_metrics.net_cashflow_1m", Kind: Decimal},
			{Name: "created_at", Kind: Timestamp},
			{Name: "num_assets_accounts", JSON: "assets_metrics.num_assets_accounts", Kind: Int},
			{Name: "num_checking_accounts", JSON: "assets_metrics.num_checking_accounts", Kind: Int},
			{Name: "num_savings_accounts", JSON: "assets_metrics.num_savings_accounts", Kind: Int},
			{Name: "credit_cards_metrics_num_accounts", JSON: "credit_cards_metrics.num_accounts", Kind: Int},
			{Name: "loans_metrics_num_accounts", JSON: "loans_metrics.num_accounts", Kind: Int},
			{Name: "sum_loans_principal", JSON: "loans_metrics.sum_loans_principal", Kind: Decimal},
			{Name: "sum_loans_monthly_payment", JSON: "loans_metrics.sum_loans_monthly_payment", Kind: Decimal},
			{Name: "overdraft_limit", JSON: "loans_metrics.overdraft_limit", Kind: Decimal},
			{Name: "overdraft_limit_utilization", JSON: "loans_metrics.overdraft_limit_utilization", Kind: Float},
			{Name: "min_balance_3d", JSON: "balances_metrics.min_balance_3d", Kind: Decimal},
			{Name: "min_balance_1w", JSON: "balances_metrics.min_balance_1w", Kind: Decimal},
			{Name: "min_balance_1m", JSON: "balances_metrics.min_balance_1m", Kind: Decimal},
			{Name: "min_balance_3m", JSON: "balances_metrics.min_balance_3m", Kind: Decimal},
			{Name: "min_balance_6m", JSON: "balances_metrics.min_balance_6m", Kind: Decimal},
			{Name: "min_balance_12m", JSON: "balances_metrics.min_balance_12m", Kind: Decimal},
			{Name: "mean_balance_3d", JSON: "balances_metrics.mean_balance_3d", Kind: Decimal},
			{Name: "mean_balance_1w", JSON: "balances_metrics.mean_balance_1w", Kind: Decimal},
			{Name: "mean_balance_1m", JSON: "balances_metrics.mean_balance_1m", Kind: Decimal},
			{Name: "mean_balance_3m", JSON: "balances_metrics.mean_balance_3m", Kind: Decimal},
			{Name: "mean_balance_6m", JSON: "balances_metrics.mean_balance_6m", Kind: Decimal},
			{Name: "mean_balance_12m", JSON: "balances_metrics.mean_balance_12m", Kind: Decimal},
			{Name: "max_balance_3d", JSON: "balances_metrics.max_balance_3d", Kind: Decimal},
			{Name: "max_balance_1w", JSON: "balances_metrics.max_balance_1w", Kind: Decimal},
			{Name: "max_balance_1m", JSON: "balances_metrics.max_balance_1m", Kind: Decimal},
			{Name: "max_balance_3m", JSON: "balances_metrics.max_balance_3m", Kind: Decimal},
			{Name: "max_balance_6m", JSON: "balances_metrics.max_balance_6m", Kind: Decimal},
			{Name: "max_balance_12m", JSON: "balances_metrics.max_balance_12m", Kind: Decimal},
			{Name: "std_balance_3d", JSON: "balances_metrics.std_balance_3d", Kind: Decimal},
			{Name: "std_balance_1w", JSON: "balances_metrics.std_balance_1w", Kind: Decimal},
			{Name: "std_balance_1m", JSON: "balances_metrics.std_balance_1m", Kind: Decimal},
			{Name: "std_balance_3m", JSON: "balances_metrics.std_balance_3m", Kind: Decimal},
			{Name: "std_balance_6m", JSON: "balances_metrics.std_balance_6m", Kind: Decimal},
			{Name: "std_balance_12m", JSON: "balances_metrics.std_balance_12m", Kind: Decimal},
			{Name: "balance_trend_3d", JSON: "balances_metrics.balance_trend_3d", Kind: Float},
			{Name: "balance_trend_1w", JSON: "balances_metrics.balance_trend_1w", Kind: Float},
			{Name: "balance_trend_1m", JSON: "balances_metrics.balance_trend_1m", Kind: Float},
			{Name: "balance_trend_3m", JSON: "balances_metrics.balance_trend_3m", Kind: Float},
			{Name: "balance_trend_6m", JSON: "balances_metrics.balance_trend_6m", Kind: Float},
			{Name: "balance_trend_12m", JSON: "balances_metrics.balance_trend_12m", Kind: Float},
			{Name: "days_balance_below_0_3d", JSON: "balances_metrics.days_balance_below_0_3d", Kind: Int},
			{Name: "days_balance_below_0_1w", JSON: "balances_metrics.days_balance_below_0_1w", Kind: Int},
			{Name: "days_balance_below_0_3m", JSON: "balances_metrics.days_balance_below_0_3m", Kind: Int},
			{Name: "days_balance_below_0_6m", JSON: "balances_metrics.days_balance_below_0_6m", Kind: Int},
			{Name: "days_balance_below_0_12m", JSON: "balances_metrics.days_balance_below_0_12m", Kind: Int},
			{Name: "days_balance_below_mean_3d", JSON: "balances_metrics.days_balance_below_mean_3d", Kind: Int},
			{Name: "days_balance_below_mean_1w", JSON: "balances_metrics.days_balance_below_mean_1w", Kind: Int},
			{Name: "days_balance_below_mean_1m", JSON: "balances_metrics.days_balance_below_mean_1m", Kind: Int},
			{Name: "days_balance_below_mean_3m", JSON: "balances_metrics.days_balance_below_mean_3m", Kind: Int},
			{Name: "days_balance_below_mean_6m", JSON: "balances_metrics.days_balance_below_mean_6m", Kind: Int},
			{Name: "days_balance_below_mean_12m", JSON: "balances_metrics.days_balance_below_mean_12m", Kind: Int},
			{Name: "days_balance_below_x_3d", JSON: "balances_metrics.days_balance_below_x_3d", Kind: Int},
			{Name: "days_balance_below_x_1w", JSON: "balances_metrics.days_balance_below_x_1w", Kind: Int},
			{Name: "days_balance_below_x_1m", JSON: "balances_metrics.days_balance_below_x_1m", Kind: Int},
			{Name: "days_balance_below_x_3m", JSON: "balances_metrics.days_balance_below_x_3m", Kind: Int},
			{Name: "days_balance_below_x_6m", JSON: "balances_metrics.days_balance_below_x_6m", Kind: Int},
			{Name: "days_balance_below_x_12m", JSON: "balances_metrics.days_balance_below_x_12m", Kind: Int},
			{Name: "balance_threshold_x", JSON: "balances_metrics.balance_threshold_x", Kind: Decimal},
			{Name: "num_transactions_3d", JSON: "transactions_metrics.num_transactions_3d", Kind: Int},
			{Name: "num_transactions_1w", JSON: "transactions_metrics.num_transactions_1w", Kind: Int},
			{Name: "num_transactions_3m", JSON: "transactions_metrics.num_transactions_3m", Kind: Int},
			{Name: "num_transactions_6m", JSON: "transactions_metrics.num_transactions_6m", Kind: Int},
			{Name: "num_transactions_12m", JSON: "transactions_metrics.num_transactions_12m", Kind: Int},
			{Name: "max_num_transactions_3d", JSON: "transactions_metrics.max_num_transactions_3d", Kind: Int},
			{Name: "max_num_transactions_1w", JSON: "transactions_metrics.max_num_transactions_1w", Kind: Int},
			{Name: "max_num_transactions_1m", JSON: "transactions_metrics.max_num_transactions_1m", Kind: Int},
			{Name: "max_num_transactions_3m", JSON: "transactions_metrics.max_num_transactions_3m", Kind: Int},
			{Name: "max_num_transactions_6m", JSON: "transactions_metrics.max_num_transactions_6m", Kind: Int},
			{Name: "max_num_transactions_12m", JSON: "transactions_metrics.max_num_transactions_12m", Kind: Int},
			{Name: "mean_num_transactions_3d", JSON: "transactions_metrics.mean_num_transactions_3d", Kind: Float},
			{Name: "mean_num_transactions_1w", JSON: "transactions_metrics.mean_num_transactions_1w", Kind: Float},
			{Name: "mean_num_transactions_1m", JSON: "transactions_metrics.mean_num_transactions_1m", Kind: Float},
			{Name: "mean_num_transactions_3m", JSON: "transactions_metrics.mean_num_transactions_3m", Kind: Float},
			{Name: "mean_num_transactions_6m", JSON: "transactions_metrics.mean_num_transactions_6m", Kind: Float},
			{Name: "mean_num_transactions_12m", JSON: "transactions_metrics.mean_num_transactions_12m", Kind: Float},
			{Name: "num_incoming_transactions_3d", JSON: "transactions_metrics.num_incoming_transactions_3d", Kind: Int},
			{Name: "num_incoming_transactions_1w", JSON: "transactions_metrics.num_incoming_transactions_1w", Kind: Int},
			{Name: "num_incoming_transactions_1m", JSON: "transactions_metrics.num_incoming_transactions_1m", Kind: Int},
			{Name: "num_incoming_transactions_3m", JSON: "transactions_metrics.num_incoming_transactions_3m", Kind: Int},
			{Name: "num_incoming_transactions_6m", JSON: "transactions_metrics.num_incoming_transactions_6m", Kind: Int},
			{Name: "num_incoming_transactions_12m", JSON: "transactions_metrics.num_incoming_transactions_12m", Kind: Int},
			{Name: "max_num_incoming_transactions_3d", JSON: "transactions_metrics.max_num_incoming_transactions_3d", Kind: Int},
			{Name: "max_num_incoming_transactions_1w", JSON: "transactions_metrics.max_num_incoming_transactions_1w", Kind: Int},
			{Name: "max_num_incoming_transactions_1m", JSON: "transactions_metrics.max_num_incoming_transactions_1m", Kind: Int},
			{Name: "max_num_incoming_transactions_3m", JSON: "transactions_metrics.max_num_incoming_transactions_3m", Kind: Int},
			{Name: "max_num_incoming_transactions_6m", JSON: "transactions_metrics.max_num_incoming_transactions_6m", Kind: Int},
			{Name: "max_num_incoming_transactions_12m", JSON: "transactions_metrics.max_num_incoming_transactions_12m", Kind: Int},
			{Name: "mean_num_incoming_transactions_3d", JSON: "transactions_metrics.mean_num_incoming_transactions_3d", Kind: Float},
			{Name: "mean_num_incoming_transactions_1w", JSON: "transactions_metrics.mean_num_incoming_transactions_1w", Kind: Float},
			{Name: "mean_num_incoming_transactions_1m", JSON: "transactions_metrics.mean_num_incoming_transactions_1m", Kind: Float},
			{Name: "mean_num_incoming_transactions_3m", JSON: "transactions_metrics.mean_num_incoming_transactions_3m", Kind: Float},
			{Name: "mean_num_incoming_transactions_6m", JSON: "transactions_metrics.mean_num_incoming_transactions_6m", Kind: Float},
			{Name: "mean_num_incoming_transactions_12m", JSON: "transactions_metrics.mean_num_incoming_transactions_12m", Kind: Float},
			{Name: "sum_incoming_amount_3d", JSON: "transactions_metrics.sum_incoming_amount_3d", Kind: Decimal},
			{Name: "sum_incoming_amount_1w", JSON: "transactions_metrics.sum_incoming_amount_1w", Kind: Decimal},
			{Name: "sum_incoming_amount_3m", JSON: "transactions_metrics.sum_incoming_amount_3m", Kind: Decimal},
			{Name: "sum_incoming_amount_6m", JSON: "transactions_metrics.sum_incoming_amount_6m", Kind: Decimal},
			{Name: "sum_incoming_amount_12m", JSON: "transactions_metrics.sum_incoming_amount_12m", Kind: Decimal},
			{Name: "max_incoming_amount_3d", JSON: "transactions_metrics.max_incoming_amount_3d", Kind: Decimal},
			{Name: "max_incoming_amount_1w", JSON: "transactions_metrics.max_incoming_amount_1w", Kind: Decimal},
			{Name: "max_incoming_amount_1m", JSON: "transactions_metrics.max_incoming_amount_1m", Kind: Decimal},
			{Name: "max_incoming_amount_3m", JSON: "transactions_metrics.max_incoming_amount_3m", Kind: Decimal},
			{Name: "max_incoming_amount_6m", JSON: "transactions_metrics.max_incoming_amount_6m", Kind: Decimal},
			{Name: "max_incoming_amount_12m", JSON: "transactions_metrics.max_incoming_amount_12m", Kind: Decimal},
			{Name: "mean_incoming_amount_3d", JSON: "transactions_metrics.mean_incoming_amount_3d", Kind: Decimal},
			{Name: "mean_incoming_amount_1w", JSON: "transactions_metrics.mean_incoming_amount_1w", Kind: Decimal},
			{Name: "mean_incoming_amount_1m", JSON: "transactions_metrics.mean_incoming_amount_1m", Kind: Decimal},
			{Name: "mean_incoming_amount_3m", JSON: "transactions_metrics.mean_incoming_amount_3m", Kind: Decimal},
			{Name: "mean_incoming_amount_6m", JSON: "transactions_metrics.mean_incoming_amount_6m", Kind: Decimal},
			{Name: "mean_incoming_amount_12m", JSON: "transactions_metrics.mean_incoming_amount_12m", Kind: Decimal},
			{Name: "num_outgoing_transactions_3d", JSON: "transactions_metrics.num_outgoing_transactions_3d", Kind: Int},
			{Name: "num_outgoing_transactions_1w", JSON: "transactions_metrics.num_outgoing_transactions_1w", Kind: Int},
			{Name: "num_outgoing_transactions_1m", JSON: "transactions_metrics.num_outgoing_transactions_1m", Kind: Int},
			{Name: "num_outgoing_transactions_3m", JSON: "transactions_metrics.num_outgoing_transactions_3m", Kind: Int},
			{Name: "num_outgoing_transactions_6m", JSON: "transactions_metrics.num_outgoing_transactions_6m", Kind: Int},
			{Name: "num_outgoing_transactions_12m", JSON: "transactions_metrics.num_outgoing_transactions_12m", Kind: Int},
			{Name: "max_num_outgoing_transactions_3d", JSON: "transactions_metrics.max_num_outgoing_transactions_3d", Kind: Int},
			{Name: "max_num_outgoing_transactions_1w", JSON: "transactions_metrics.max_num_outgoing_transactions_1w", Kind: Int},
			{Name: "max_num_outgoing_transactions_1m", JSON: "transactions_metrics.max_num_outgoing_transactions_1m", Kind: Int},
			{Name: "max_num_outgoing_transactions_3m", JSON: "transactions_metrics.max_num_outgoing_transactions_3m", Kind: Int},
			{Name: "max_num_outgoing_transactions_6m", JSON: "transactions_metrics.max_num_outgoing_transactions_6m", Kind: Int},
			{Name: "max_num_outgoing_transactions_12m", JSON: "transactions_metrics.max_num_outgoing_transactions_12m", Kind: Int},
			{Name: "mean_num_outgoing_transactions_3d", JSON: "transactions_metrics.mean_num_outgoing_transactions_3d", Kind: Float},
			{Name: "mean_num_outgoing_transactions_1w", JSON: "transactions_metrics.mean_num_outgoing_transactions_1w", Kind: Float},
			{Name: "mean_num_outgoing_transactions_1m", JSON: "transactions_metrics.mean_num_outgoing_transactions_1m", Kind: Float},
			{Name: "mean_num_outgoing_transactions_3m", JSON: "transactions_metrics.mean_num_outgoing_transactions_3m", Kind: Float},
			{Name: "mean_num_outgoing_transactions_6m", JSON: "transactions_metrics.mean_num_outgoing_transactions_6m", Kind: Float},
			{Name: "mean_num_outgoing_transactions_12m", JSON: "transactions_metrics.mean_num_outgoing_transactions_12m", Kind: Float},
			{Name: "sum_outgoing_amount_3d", JSON: "transactions_metrics.sum_outgoing_amount_3d", Kind: Decimal},
			{Name: "sum_outgoing_amount_1w", JSON: "transactions_metrics.sum_outgoing_amount_1w", Kind: Decimal},
			{Name: "sum_outgoing_amount_3m", JSON: "transactions_metrics.sum_outgoing_amount_3m", Kind: Decimal},
			{Name: "sum_outgoing_amount_6m", JSON: "transactions_metrics.sum_outgoing_amount_6m", Kind: Decimal},
			{Name: "sum_outgoing_amount_12m", JSON: "transactions_metrics.sum_outgoing_amount_12m", Kind: Decimal},
			{Name: "max_outgoing_amount_3d", JSON: "transactions_metrics.max_outgoing_amount_3d", Kind: Decimal},
			{Name: "max_outgoing_amount_1w", JSON: "transactions_metrics.max_outgoing_amount_1w", Kind: Decimal},
			{Name: "max_outgoing_amount_1m", JSON: "transactions_metrics.max_outgoing_amount_1m", Kind: Decimal},
			{Name: "max_outgoing_amount_3m", JSON: "transactions_metrics.max_outgoing_amount_3m", Kind: Decimal},
			{Name: "max_outgoing_amount_6m", JSON: "transactions_metrics.max_outgoing_amount_6m", Kind: Decimal},
			{Name: "max_outgoing_amount_12m", JSON: "transactions_metrics.max_outgoing_amount_12m", Kind: Decimal},
			{Name: "mean_outgoing_amount_3d", JSON: "transactions_metrics.mean_outgoing_amount_3d", Kind: Decimal},
			{Name: "mean_outgoing_amount_1w", JSON: "transactions_metrics.mean_outgoing_amount_1w", Kind: Decimal},
			{Name: "mean_outgoing_amount_1m", JSON: "transactions_metrics.mean_outgoing_amount_1m", Kind: Decimal},
			{Name: "mean_outgoing_amount_3m", JSON: "transactions_metrics.mean_outgoing_amount_3m", Kind: Decimal},
			{Name: "mean_outgoing_amount_6m", JSON: "transactions_metrics.mean_outgoing_amount_6m", Kind: Decimal},
			{Name: "mean_outgoing_amount_12m", JSON: "transactions_metrics.mean_outgoing_amount_12m", Kind: Decimal},
			{Name: "days_without_transactions_3d", JSON: "transactions_metrics.days_without_transactions_3d", Kind: Int},
			{Name: "days_without_transactions_1w", JSON: "transactions_metrics.days_without_transactions_1w", Kind: Int},
			{Name: "days_without_transactions_1m", JSON: "transactions_metrics.days_without_transactions_1m", Kind: Int},
			{Name: "days_without_transactions_3m", JSON: "transactions_metrics.days_without_transactions_3m", Kind: Int},
			{Name: "days_without_transactions_6m", JSON: "transactions_metrics.days_without_transactions_6m", Kind: Int},
			{Name: "days_without_transactions_12m", JSON: "transactions_metrics.days_without_transactions_12m", Kind: Int},
			{Name: "days_since_last_transaction", JSON: "transactions_metrics.days_since_last_transaction", Kind: Int},
			{Name: "days_since_last_incoming_transaction", JSON: "transactions_metrics.days_since_last_incoming_transaction", Kind: Int},
			{Name: "days_since_last_outgoing_transaction", JSON: "transactions_metrics.days_since_last_outgoing_transaction", Kind: Int},
			{Name: "max_positive_3d", JSON: "cashflow_metrics.max_positive_3d", Kind: Decimal},
			{Name: "max_positive_1w", JSON: "cashflow_metrics.max_positive_1w", Kind: Decimal},
			{Name: "max_positive_1m", JSON: "cashflow_metrics.max_positive_1m", Kind: Decimal},
			{Name: "max_positive_3m", JSON: "cashflow_metrics.max_positive_3m", Kind: Decimal},
			{Name: "max_positive_6m", JSON: "cashflow_metrics.max_positive_6m", Kind: Decimal},
			{Name: "max_positive_12m", JSON: "cashflow_metrics.max_positive_12m", Kind: Decimal},
			{Name: "max_negative_3d", JSON: "cashflow_metrics.max_negative_3d", Kind: Decimal},
			{Name: "max_negative_1w", JSON: "cashflow_metrics.max_negative_1w", Kind: Decimal},
			{Name: "max_negative_1m", JSON: "cashflow_metrics.max_negative_1m", Kind: Decimal},
			{Name: "max_negative_3m", JSON: "cashflow_metrics.max_negative_3m", Kind: Decimal},
			{Name: "max_negative_6m", JSON: "cashflow_metrics.max_negative_6m", Kind: Decimal},
			{Name: "max_negative_12m", JSON: "cashflow_metrics.max_negative_12m", Kind: Decimal},
			{Name: "mean_positive_3d", JSON: "cashflow_metrics.mean_positive_3d", Kind: Decimal},
			{Name: "mean_positive_1w", JSON: "cashflow_metrics.mean_positive_1w", Kind: Decimal},
			{Name: "mean_positive_1m", JSON: "cashflow_metrics.mean_positive_1m", Kind: Decimal},
			{Name: "mean_positive_3m", JSON: "cashflow_metrics.mean_positive_3m", Kind: Decimal},
			{Name: "mean_positive_6m", JSON: "cashflow_metrics.mean_positive_6m", Kind: Decimal},
			{Name: "mean_positive_12m", JSON: "cashflow_metrics.mean_positive_12m", Kind: Decimal},
			{Name: "mean_negative_3d", JSON: "cashflow_metrics.mean_negative_3d", Kind: Decimal},
			{Name: "mean_negative_1w", JSON: "cashflow_metrics.mean_negative_1w", Kind: Decimal},
			{Name: "mean_negative_1m", JSON: "cashflow_metrics.mean_negative_1m", Kind: Decimal},
			{Name: "mean_negative_3m", JSON: "cashflow_metrics.mean_negative_3m", Kind: Decimal},
			{Name: "mean_negative_6m", JSON: "cashflow_metrics.mean_negative_6m", Kind: Decimal},
			{Name: "mean_negative_12m", JSON: "cashflow_metrics.mean_negative_12m", Kind: Decimal},
			{Name: "sum_positive_3d", JSON: "cashflow_metrics.sum_positive_3d", Kind: Decimal},
			{Name: "sum_positive_1w", JSON: "cashflow_metrics.sum_positive_1w", Kind: Decimal},
			{Name: "sum_positive_1m", JSON: "cashflow_metrics.sum_positive_1m", Kind: Decimal},
			{Name: "sum_positive_3m", JSON: "cashflow_metrics.sum_positive_3m", Kind: Decimal},
			{Name: "sum_positive_6m", JSON: "cashflow_metrics.sum_positive_6m", Kind: Decimal},
			{Name: "sum_positive_12m", JSON: "cashflow_metrics.sum_positive_12m", Kind: Decimal},
			{Name: "sum_positive_trend_3d", JSON: "cashflow_metrics.sum_positive_trend_3d", Kind: Float},
			{Name: "sum_positive_trend_1w", JSON: "cashflow_metrics.sum_positive_trend_1w", Kind: Float},
			{Name: "sum_positive_trend_1m", JSON: "cashflow_metrics.sum_positive_trend_1m", Kind: Float},
			{Name: "sum_positive_trend_3m", JSON: "cashflow_metrics.sum_positive_trend_3m", Kind: Float},
			{Name: "sum_positive_trend_6m", JSON: "cashflow_metrics.sum_positive_trend_6m", Kind: Float},
			{Name: "sum_positive_trend_12m", JSON: "cashflow_metrics.sum_positive_trend_12m", Kind: Float},
			{Name: "sum_negative_3d", JSON: "cashflow_metrics.sum_negative_3d", Kind: Decimal},
			{Name: "sum_negative_1w", JSON: "cashflow_metrics.sum_negative_1w", Kind: Decimal},
			{Name: "sum_negative_1m", JSON: "cashflow_metrics.sum_negative_1m", Kind: Decimal},
			{Name: "sum_negative_3m", JSON: "cashflow_metrics.sum_negative_3m", Kind: Decimal},
			{Name: "sum_negative_6m", JSON: "cashflow_metrics.sum_negative_6m", Kind: Decimal},
			{Name: "sum_negative_12m", JSON: "cashflow_metrics.sum_negative_12m", Kind: Decimal},
			{Name: "sum_negative_trend_3d", JSON: "cashflow_metrics.sum_negative_trend_3d", Kind: Float},
			{Name: "sum_negative_trend_1w", JSON: "cashflow_metrics.sum_negative_trend_1w", Kind: Float},
			{Name: "sum_negative_trend_1m", JSON: "cashflow_metrics.sum_negative_trend_1m", Kind: Float},
			{Name: "sum_negative_trend_3m", JSON: "cashflow_metrics.sum_negative_trend_3m", Kind: Float},
			{Name: "sum_negative_trend_6m", JSON: "cashflow_metrics.sum_negative_trend_6m", Kind: Float},
			{Name: "sum_negative_trend_12m", JSON: "cashflow_metrics.sum_negative_trend_12m", Kind: Float},
			{Name: "positive_to_negative_ratio_3d", JSON: "cashflow_metrics.positive_to_negative_ratio_3d", Kind: Float},
			{Name: "positive_to_negative_ratio_1w", JSON: "cashflow_metrics.positive_to_negative_ratio_1w", Kind: Float},
			{Name: "positive_to_negative_ratio_1m", JSON: "cashflow_metrics.positive_to_negative_ratio_1m", Kind: Float},
			{Name: "positive_to_negative_ratio_3m", JSON: "cashflow_metrics.positive_to_negative_ratio_3m", Kind: Float},
			{Name: "positive_to_negative_ratio_6m", JSON: "cashflow_metrics.positive_to_negative_ratio_6m", Kind: Float},
			{Name: "positive_to_negative_ratio_12m", JSON: "cashflow_metrics.positive_to_negative_ratio_12m", Kind: Float},
			{Name: "net_cashflow_3d", JSON: "cashflow_metrics.net_cashflow_3d", Kind: Decimal},
			{Name: "net_cashflow_1w", JSON: "cashflow_metrics.net_cashflow_1w", Kind: Decimal},
			{Name: "net_cashflow_3m", JSON: "cashflow_metrics.net_cashflow_3m", Kind: Decimal},
			{Name: "net_cashflow_6m", JSON: "cashflow_metrics.net_cashflow_6m", Kind: Decimal},
			{Name: "net_cashflow_12m", JSON: "cashflow_metrics.net_cashflow_12m", Kind: Decimal},
			{Name: "net_cashflow_trend_3d", JSON: "cashflow_metrics.net_cashflow_trend_3d", Kind: Float},
			{Name: "net_cashflow_trend_1w", JSON: "cashflow_metrics.net_cashflow_trend_1w", Kind: Float},
			{Name: "net_cashflow_trend_1m", JSON: "cashflow_metrics.net_cashflow_trend_1m", Kind: Float},
			{Name: "net_cashflow_trend_3m", JSON: "cashflow_metrics.net_cashflow_trend_3m", Kind: Float},
			{Name: "net_cashflow_trend_6m", JSON: "cashflow_metrics.net_cashflow_trend_6m", Kind: Float},
			{Name: "net_cashflow_trend_12m", JSON: "cashflow_metrics.net_cashflow_trend_12m", Kind: Float},
		},
		Children: riskInsightsChildren},
	// The component does not require id, and Belvo's SDK example of this
	// resource has none: a SAT compliance opinion is identified by the
	// taxpayer and the opinion's folio.
	{Name: "tax_compliance_status", WebhookType: "TAX_COMPLIANCE_STATUS", Path: "/api/tax-compliance-status/", Spec: "1.223.0", Component: "TaxComplianceStatus",
		DateField: "created_at", Key: []string{"rfc", "internal_identification"},
		Fields: []Field{
			{Name: "rfc", Kind: String},
			{Name: "outcome", Kind: Enum},
			{Name: "internal_identification", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
		}},
	{Name: "tax_retentions", WebhookType: "TAX_RETENTIONS", Path: "/api/tax-retentions/", Spec: "1.223.0", Component: "TaxRetentions",
		DateField: "created_at",
		Fields: []Field{
			{Name: "invoice_identification", Kind: String},
			{Name: "code", Kind: Int},
			{Name: "issued_at", Kind: Timestamp},
			{Name: "certified_at", Kind: Timestamp},
			{Name: "cancelled_at", Kind: Timestamp},
			{Name: "sender_id", Kind: String},
			{Name: "sender_name", Kind: String},
			{Name: "receiver_id", Kind: String},
			{Name: "receiver_name", Kind: String},
			{Name: "receiver_nationality", Kind: Enum},
			{Name: "total_invoice_amount", Kind: Decimal},
			{Name: "total_taxable_amount", Kind: Decimal},
			{Name: "total_exempt_amount", Kind: Decimal},
			{Name: "total_retained_amount", Kind: Decimal},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "cfdi_version", JSON: "version", Kind: Enum},
		},
		Children: taxRetentionsChildren},
	// The list mixes four shapes (personal/business, yearly/monthly);
	// TaxReturnPersonal is named, and the first typed fields are the general
	// information every shape shares. The amounts typed after them are the
	// yearly returns' (personal: income, taxable base, ISR; business: income
	// statement, ISR payment), whose sections the spec leaves free-form: they
	// are read from Belvo's examples and data dictionaries; a shape's amounts
	// are null in the others', and monthly returns' stay in raw.
	// Belvo's monthly examples carry no id: a filed return is identified
	// by taxpayer, fiscal year, period and SAT operation number.
	{Name: "tax_returns", WebhookType: "TAX_RETURNS", Path: "/api/tax-returns/", Spec: "1.223.0", Component: "TaxReturnPersonal",
		Filters: []string{FilterEjercicioRange, FilterCreatedAtRange}, DateField: "created_at",
		Key: []string{"informacion_general.rfc", "informacion_general.ejercicio", "informacion_general.periodo_declaracion", "informacion_general.numero_operacion"},
		Fields: []Field{
			{Name: "type", Kind: Enum},
			{Name: "rfc", JSON: "informacion_general.rfc", Kind: String},
			{Name: "ejercicio", JSON: "informacion_general.ejercicio", Kind: Int},
			{Name: "periodo_declaracion", JSON: "informacion_general.periodo_declaracion", Kind: Enum},
			{Name: "tipo_declaracion", JSON: "informacion_general.tipo_declaracion", Kind: Enum},
			{Name: "numero_operacion", JSON: "informacion_general.numero_operacion", Kind: String},
			{Name: "fecha_hora_presentacion", JSON: "informacion_general.fecha_hora_presentacion", Kind: Timestamp},
			{Name: "nombre", JSON: "informacion_general.nombre", Kind: String},
			{Name: "denominacion_razon_social", JSON: "informacion_general.denominacion_razon_social", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "ingreso_anual", JSON: "sueldos_salarios.ingreso_anual", Kind: Decimal},
			{Name: "sueldos_impuesto_retenido", JSON: "sueldos_salarios.impuesto_retenido", Kind: Decimal},
			{Name: "sueldos_ingresos_acumulables", JSON: "sueldos_salarios.ingresos_acumulables", Kind: Decimal},
			{Name: "sueldos_ingresos_exentos", JSON: "sueldos_salarios.ingresos_exentos", Kind: Decimal},
			{Name: "servicios_total_ingresos", JSON: "servicios_profesionales.ingresos.total_ingresos", Kind: Decimal},
			{Name: "servicios_total_deducciones_autorizadas", JSON: "servicios_profesionales.deducciones_autorizadas.total_deducciones_autorizadas", Kind: Decimal},
			{Name: "servicios_utilidad_gravable", JSON: "servicios_profesionales.resultado_fiscal.utilidad_gravable", Kind: Decimal},
			{Name: "base_gravable", JSON: "determinacion_impuesto.base_gravable", Kind: Decimal},
			{Name: "ingresos_acumulables", JSON: "determinacion_impuesto.ingresos_acumulables", Kind: Decimal},
			{Name: "deducciones_personales", JSON: "determinacion_impuesto.deducciones_personales", Kind: Decimal},
			{Name: "isr_conforme_tarifa_final", JSON: "determinacion_impuesto.isr_conforme_tarifa_final", Kind: Decimal},
			{Name: "isr_retenido", JSON: "determinacion_impuesto.isr_retenido", Kind: Decimal},
			{Name: "isr_favorable", JSON: "determinacion_impuesto.isr_favorable", Kind: Decimal},
			{Name: "pagos_provisionales", JSON: "determinacion_impuesto.pagos_provisionales", Kind: Decimal},
			{Name: "accion_saldo_a_favor", JSON: "determinacion_impuesto.accion_saldo_a_favor", Kind: Enum},
			{Name: "monto_acumulable_dividendos_utilidades", JSON: "dividendos.monto_acumulable_dividendos_utilidades", Kind: Decimal},
			{Name: "monto_total_isr_pagado_sociedad", JSON: "dividendos.monto_total_isr_pagado_sociedad", Kind: Decimal},
			{Name: "credito_fiscal_autorizado_proyectos_investigacion_desarrollo", JSON: "datos_informativos.credito_fiscal_autorizado_proyectos_investigacion_desarrollo", Kind: Decimal},
			// Business yearly returns: income statement and the ISR payment.
			{Name: "ingresos_netos", JSON: "estado_resultados.ingresos_netos.total", Kind: Decimal},
			{Name: "utilidad_bruta", JSON: "estado_resultados.utilidad_bruta", Kind: Decimal},
			{Name: "utilidad_operacion", JSON: "estado_resultados.utilidad_operacion", Kind: Decimal},
			{Name: "utilidad_antes_impuesto", JSON: "estado_resultados.utilidad_antes_impuesto", Kind: Decimal},
			{Name: "isr_estado_resultados", JSON: "estado_resultados.isr", Kind: Decimal},
			{Name: "utilidad_neta", JSON: "estado_resultados.utilidad_neta", Kind: Decimal},
			{Name: "utilidad_o_perdida_fiscal_antes_de_ptu", JSON: "conciliacion_entre_resultado_contable_fiscal.utilidad_o_perdida_fiscal_antes_de_ptu", Kind: Decimal},
			{Name: "isr_total_contribuciones", JSON: "detalle_pago_r1_isr_personas_morales.total_contribuciones", Kind: Decimal},
			{Name: "isr_cantidad_a_cargo", JSON: "detalle_pago_r1_isr_personas_morales.cantidad_a_cargo", Kind: Decimal},
			{Name: "isr_cantidad_a_favor", JSON: "detalle_pago_r1_isr_personas_morales.cantidad_a_favor", Kind: Decimal},
			{Name: "isr_cantidad_a_pagar", JSON: "detalle_pago_r1_isr_personas_morales.cantidad_a_pagar", Kind: Decimal},
		},
		Children: taxReturnsChildren},
	{Name: "tax_status", WebhookType: "TAX_STATUS", Path: "/api/tax-status/", Spec: "1.223.0", Component: "TaxStatusSat",
		DateField: "created_at",
		Fields: []Field{
			{Name: "official_name", Kind: String},
			{Name: "id_cif", Kind: String},
			{Name: "rfc", JSON: "tax_payer_information.rfc", Kind: String},
			{Name: "curp", JSON: "tax_payer_information.curp", Kind: String},
			{Name: "status_padron", JSON: "tax_payer_information.status_padron", Kind: Enum},
			{Name: "start_operations_date", JSON: "tax_payer_information.start_operations_date", Kind: Date},
			{Name: "last_status_change_date", JSON: "tax_payer_information.last_status_change_date", Kind: Date},
			{Name: "postal_code", JSON: "address.postal_code", Kind: String},
			{Name: "state", JSON: "address.state", Kind: Enum},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "place_and_date_of_issuance", Kind: String},
			{Name: "name", JSON: "tax_payer_information.name", Kind: String},
			{Name: "first_last_name", JSON: "tax_payer_information.first_last_name", Kind: String},
			{Name: "second_last_name", JSON: "tax_payer_information.second_last_name", Kind: String},
			{Name: "commercial_name", JSON: "tax_payer_information.commercial_name", Kind: String},
			{Name: "social_name", JSON: "tax_payer_information.social_name", Kind: String},
			{Name: "email", JSON: "tax_payer_information.email", Kind: String},
			{Name: "phone", JSON: "tax_payer_information.phone", Kind: String},
			{Name: "street_type", JSON: "address.street_type", Kind: Enum},
			{Name: "street", JSON: "address.street", Kind: String},
			{Name: "exterior_number", JSON: "address.exterior_number", Kind: String},
			{Name: "interior_number", JSON: "address.interior_number", Kind: String},
			{Name: "suburb", JSON: "address.suburb", Kind: String},
			{Name: "locality", JSON: "address.locality", Kind: String},
			{Name: "municipality", JSON: "address.municipality", Kind: String},
			{Name: "digital_stamp", Kind: String},
			{Name: "digital_stamp_chain", Kind: String},
		},
		Children: taxStatusChildren},
	// As for accounts: the current spec's OFDA Brazil component is named, and
	// the fields of Mexico's 1.59.0 Transaction are typed too (null where a
	// region lacks them). The embedded account is not copied: account_id
	// joins the accounts table. The two differ in accounting_date (a date in OFDA, a date-time in Mexico); the
	// Date kind takes the date part of either as written.
	{Name: "transactions", WebhookType: "TRANSACTIONS", Path: "/api/transactions/", Spec: "1.223.0", Component: "TransactionOpenFinanceBrazil",
		Filters: []string{FilterCreatedAtRange, FilterIDIn, FilterValueDateRange, FilterType}, DateField: "value_date", AsyncPost: true,
		Fields: []Field{
			{Name: "account_id", JSON: "account.id", Kind: String},
			{Name: "account_category", JSON: "account.category", Kind: Enum},
			{Name: "account_type", JSON: "account.type", Kind: Enum},
			{Name: "institution", JSON: "account.institution.name", Kind: Enum},
			{Name: "value_date", Kind: Date},
			{Name: "accounting_date", Kind: Date},
			{Name: "amount", Kind: Decimal},
			{Name: "balance", Kind: Decimal},
			{Name: "currency", Kind: Enum},
			{Name: "type", Kind: Enum},
			{Name: "status", Kind: Enum},
			{Name: "category", Kind: Enum},
			{Name: "subcategory", Kind: Enum},
			{Name: "description", Kind: String},
			{Name: "merchant_name", JSON: "merchant.merchant_name", Kind: String},
			{Name: "collected_at", Kind: Timestamp},
			{Name: "created_at", Kind: Timestamp},
			{Name: "internal_identification", Kind: String},
			{Name: "transacted_at", Kind: Timestamp},
			{Name: "inferred_accounting_date", Kind: Date},
			{Name: "local_currency_amount", Kind: Decimal},
			{Name: "observations", Kind: String},
			{Name: "merchant_logo", JSON: "merchant.logo", Kind: String},
			{Name: "merchant_website", JSON: "merchant.website", Kind: String},
			{Name: "reference", Kind: String},
			{Name: "credit_card_collected_at", JSON: "credit_card_data.collected_at", Kind: Timestamp},
			{Name: "bill_name", JSON: "credit_card_data.bill_name", Kind: String},
			{Name: "bill_due_date", JSON: "credit_card_data.bill_due_date", Kind: Date},
			{Name: "bill_internal_identification", JSON: "credit_card_data.bill_internal_identification", Kind: String},
			{Name: "bill_status", JSON: "credit_card_data.bill_status", Kind: Enum},
			{Name: "previous_bill_total", JSON: "credit_card_data.previous_bill_total", Kind: String},
			{Name: "bill_amount", JSON: "credit_card_data.bill_amount", Kind: Decimal},
			{Name: "card_number", JSON: "credit_card_data.card_number", Kind: String},
			{Name: "fee_type", JSON: "credit_card_data.fee_type", Kind: Enum},
			{Name: "fee_type_additional_info", JSON: "credit_card_data.fee_type_additional_info", Kind: String},
			{Name: "credits_type", JSON: "credit_card_data.credits_type", Kind: Enum},
			{Name: "credits_type_additional_info", JSON: "credit_card_data.credits_type_additional_info", Kind: String},
			{Name: "installment_identifier", JSON: "credit_card_data.installment_identifier", Kind: String},
			{Name: "number_of_installments", JSON: "credit_card_data.number_of_installments", Kind: Int},
			{Name: "counterparty_type", JSON: "counterparty.type", Kind: Enum},
			{Name: "counterparty_document_number", JSON: "counterparty.document_number", Kind: String},
			{Name: "counterparty_clearing_code", JSON: "counterparty.clearing_code", Kind: String},
			{Name: "counterparty_agency", JSON: "counterparty.agency", Kind: String},
			{Name: "counterparty_check_digit", JSON: "counterparty.check_digit", Kind: String},
			{Name: "counterparty_number", JSON: "counterparty.number", Kind: String},
			{Name: "loan_is_detached", JSON: "loan_data.is_detached", Kind: Bool},
			{Name: "loan_installment_id", JSON: "loan_data.installment_id", Kind: String},
			{Name: "payment_type", Kind: Enum},
			{Name: "operation_type", Kind: Enum},
			{Name: "operation_type_additional_info", Kind: String},
			{Name: "mcc", Kind: Int},
			{Name: "credit_card_bill_id", JSON: "credit_card_data.credit_card_bill.id", Kind: String},
			{Name: "credit_card_bill_internal_identification", JSON: "credit_card_data.credit_card_bill.internal_identification", Kind: String},
		},
		Children: transactionsChildren},
}

// ResourceByName returns the resource called name.
func ResourceByName(name string) (Resource, bool) {
	for _, r := range Resources {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Validate checks what the generators rely on: names usable in Avro and
// ClickHouse, no typed field shadowing a common column, known kinds and
// well-formed paths. Every error names the resource and field.
func (r Resource) Validate() error {
	if !isSnakeName(r.Name) {
		return fmt.Errorf("resource %q: name must be snake_case", r.Name)
	}
	if r.Path != "" && (r.Component == "" || r.Spec == "") {
		return fmt.Errorf("resource %s: Component and Spec are required for a fetched resource", r.Name)
	}
	if r.Path == "" && len(r.Key) == 0 {
		return fmt.Errorf("fact %s: a Key is required (facts have no Belvo id)", r.Name)
	}
	seen := make(map[string]bool, len(r.Fields))
	for _, c := range []string{FieldID, FieldLinkID, FieldDeleted, FieldRaw, FieldWebhookID, FieldRequestID, FieldFetchedAt, FieldUnfit,
		ColumnLoadedAt, ColumnTopic, ColumnPartition, ColumnOffset, ColumnVersion, ColumnIsDeleted} {
		seen[c] = true
	}
	for _, f := range r.Fields {
		if !isSnakeName(f.Name) {
			return fmt.Errorf("resource %s field %q: name must be snake_case", r.Name, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("resource %s field %s: name used twice or reserved", r.Name, f.Name)
		}
		seen[f.Name] = true
		if f.Kind > Enum {
			return fmt.Errorf("resource %s field %s: unknown kind %d", r.Name, f.Name, f.Kind)
		}
		if !isPath(f.Path()) {
			return fmt.Errorf("resource %s field %s: malformed JSON path %q", r.Name, f.Name, f.Path())
		}
	}
	for _, k := range r.Key {
		if !isPath(k) {
			return fmt.Errorf("resource %s key: malformed JSON path %q", r.Name, k)
		}
	}
	return r.validateChildren()
}

// isSnakeName accepts [a-z_][a-z0-9_]*: a valid Avro name and a ClickHouse
// identifier that needs no case-sensitive care.
func isSnakeName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func isPath(p string) bool {
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return false
		}
	}
	return true
}
