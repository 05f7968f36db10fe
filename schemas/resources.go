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
// with more digits is refused (dead-lettered), never silently rounded.
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
	// current one because it is what Belvo serves today, and type only fields
	// that both shapes carry with the same meaning (subtype is OFDA-only and
	// null for Mexico), so records of either region convert.
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
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
		}},
	// The list mixes four shapes (personal/business, yearly/monthly);
	// TaxReturnPersonal is named, and the typed fields are the general
	// information every shape shares. Amounts differ per shape and stay in
	// raw. Belvo's monthly examples carry no id: a filed return is identified
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
		}},
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
		}},
	// As for accounts: the current spec's OFDA Brazil component is named, and
	// the typed fields are those Mexico's 1.59.0 Transaction shares. The two
	// differ in accounting_date (a date in OFDA, a date-time in Mexico); the
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
		}},
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
	for _, c := range []string{FieldID, FieldLinkID, FieldDeleted, FieldRaw, FieldWebhookID, FieldRequestID, FieldFetchedAt,
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
	return nil
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
