package schemas

// Action says what an event of the catalogue asks the fetcher to do.
type Action uint8

const (
	// Fetch lists the resource with the event's Query.
	Fetch Action = iota
	// FetchIDs lists the resource filtered by id__in with the ids in data[IDs].
	FetchIDs
	// Cancel is FetchIDs whose records are also cancellation facts.
	Cancel
	// Delete fetches nothing: every id in data[IDs] becomes a deletion record.
	Delete
	// LinkStatus fetches nothing: the event is a fact about the link.
	LinkStatus
	// ConsentStatus fetches nothing: the event is a fact about a consent.
	ConsentStatus
)

// Param is one query parameter of a planned GET call. Exactly one source is
// set: a constant, a pair of data fields joined as "from,to", or Since, the
// range from the previous notification of the same link and resource to today.
type Param struct {
	Filter string
	Const  string
	From   string // data field holding the start of a range
	To     string // data field holding the end of a range
	Since  bool
}

// Event is one row of webhooks.md: a webhook type and code, and what the
// pipeline does with it.
type Event struct {
	Type        string // webhook_type
	Code        string // webhook_code
	Alias       string // another spelling Belvo uses for Code (seed inconsistencies, seed 001's new_transactions_updated)
	ProcessType string // the process_type Belvo sends with it, when fixed
	Resource    string // resource name for fetching actions and deletions
	Action      Action
	Query       []Param
	IDs         string   // data field with a list of record ids
	Count       string   // data field with the number of records Belvo announced
	Data        []string // data fields the event documents
}

// Catalogue mirrors ../shared/belvo/webhooks.md row by row. The fetcher plans
// from it, the emulator's scenario sends one event per row, and the tests
// check both against it.
var Catalogue = []Event{
	{Type: "ACCOUNTS", Code: "historical_update", Resource: "accounts", Count: "total_accounts", Data: []string{"total_accounts"}},
	{Type: "ACCOUNTS", Code: "new_accounts_available", Resource: "accounts", Count: "new_accounts", Data: []string{"new_accounts"}},
	{Type: "BILLS", Code: "historical_update", Resource: "bills", Count: "total_bills", Data: []string{"total_bills"}},
	{Type: "BILLS", Code: "new_bills_available", Resource: "bills", Count: "new_bills", Data: []string{"new_bills"},
		Query: []Param{{Filter: FilterCreatedAtRange, Since: true}}},
	{Type: "CONSENT", Code: "openfinance_consent_about_to_expire", Action: ConsentStatus,
		Data: []string{"consent_id", "consent_due_date", "action", "institution", "institution_display_name", "institution_icon_logo"}},
	{Type: "CONSENT", Code: "openfinance_consent_expired", Alias: "consent_expired", Action: ConsentStatus,
		Data: []string{"consent_id", "action", "institution", "institution_display_name", "institution_icon_logo"}},
	{Type: "CONSENT", Code: "openfinance_consent_with_unrecoverable_resources", Action: ConsentStatus,
		Data: []string{"consent_id", "institution", "message"}},
	{Type: "CONSENT", Code: "openfinance_consent_with_temporarily_unavailable_resources", Action: ConsentStatus,
		Data: []string{"consent_id", "institution", "message"}},
	{Type: "CURRENT_EMPLOYMENTS", Code: "historical_update", Resource: "current_employments", Count: "total_current_employments", Data: []string{"total_current_employments"}},
	{Type: "EMPLOYMENT_METRICS", Code: "historical_update", Resource: "employment_metrics", Count: "total_employment_metrics", Data: []string{"total_employment_metrics"}},
	{Type: "EMPLOYMENT_RECORDS", Code: "historical_update", Resource: "employment_records", Count: "total_employment_record_profiles", Data: []string{"total_employment_record_profiles"}},
	{Type: "EMPLOYMENT_RECORDS", Code: "employment_changes", Resource: "employment_records", Data: []string{"employment_changes"}},
	{Type: "EMPLOYMENTS", Code: "historical_update", Resource: "employments", Count: "total_employments", Data: []string{"total_employments"}},
	{Type: "EMPLOYMENTS", Code: "new_employments_available", Resource: "employments", Count: "new_employments", Data: []string{"new_employments"},
		Query: []Param{{Filter: FilterCreatedAtRange, Since: true}}},
	{Type: "FINANCIAL_STATEMENTS", Code: "historical_update", Resource: "financial_statements", Count: "total_financial_statements", Data: []string{"total_financial_statements"}},
	{Type: "FINANCIAL_STATEMENTS", Code: "new_financial_statements_available", ProcessType: "async_post", Resource: "financial_statements",
		Count: "new_financial_statements", Data: []string{"new_financial_statements"}},
	{Type: "INCOMES", Code: "historical_update", Resource: "incomes", Count: "total_incomes", Data: []string{"total_incomes", "number_of_income_streams"}},
	{Type: "INVESTMENT_TRANSACTIONS", Code: "historical_update", Resource: "investment_transactions", Count: "total_transactions",
		Data: []string{"total_transactions", "total_inflow_transactions", "total_outflow_transactions", "first_transaction_date", "last_transaction_date"}},
	{Type: "INVESTMENT_TRANSACTIONS", Code: "new_investment_transactions_available", Resource: "investment_transactions",
		Count: "new_investment_transactions", Data: []string{"new_investment_transactions"},
		Query: []Param{{Filter: FilterCreatedAtRange, Since: true}}},
	{Type: "INVESTMENTS", Code: "historical_update", Resource: "investments", Count: "total_investments", Data: []string{"total_investments"}},
	{Type: "INVESTMENTS", Code: "new_investments_available", Resource: "investments", Count: "new_investments", Data: []string{"new_investments"}},
	{Type: "INVOICES", Code: "initial_inflow_update", Resource: "invoices", Count: "total_invoices",
		Data:  []string{"total_invoices", "first_invoice_date", "last_invoice_date"},
		Query: []Param{{Filter: FilterType, Const: "INFLOW"}, {Filter: FilterInvoiceDateRange, From: "first_invoice_date", To: "last_invoice_date"}}},
	{Type: "INVOICES", Code: "initial_outflow_update", Resource: "invoices", Count: "total_invoices",
		Data:  []string{"total_invoices", "first_invoice_date", "last_invoice_date"},
		Query: []Param{{Filter: FilterType, Const: "OUTFLOW"}, {Filter: FilterInvoiceDateRange, From: "first_invoice_date", To: "last_invoice_date"}}},
	{Type: "INVOICES", Code: "historical_inflow_update", Resource: "invoices", Count: "total_invoices",
		Data:  []string{"total_invoices", "first_invoice_date", "last_invoice_date"},
		Query: []Param{{Filter: FilterType, Const: "INFLOW"}, {Filter: FilterInvoiceDateRange, From: "first_invoice_date", To: "last_invoice_date"}}},
	{Type: "INVOICES", Code: "historical_outflow_update", Resource: "invoices", Count: "total_invoices",
		Data:  []string{"total_invoices", "first_invoice_date", "last_invoice_date"},
		Query: []Param{{Filter: FilterType, Const: "OUTFLOW"}, {Filter: FilterInvoiceDateRange, From: "first_invoice_date", To: "last_invoice_date"}}},
	{Type: "INVOICES", Code: "new_invoices_available", Resource: "invoices", Action: FetchIDs, IDs: "new_invoices", Count: "count",
		Data: []string{"count", "type", "new_invoices"}},
	{Type: "INVOICES", Code: "invoices_cancelled", Resource: "invoices", Action: Cancel, IDs: "cancelled_invoices",
		Data: []string{"type", "cancelled_invoices"}},
	{Type: "LINK", Code: "invalid_credentials", Action: LinkStatus, Data: []string{"error_code", "error_message", "status"}},
	{Type: "LINK", Code: "token_required", Action: LinkStatus,
		Data: []string{"error_code", "error_message", "status", "session", "expiry", "token_generation_data"}},
	{Type: "LINK", Code: "link_deleted", ProcessType: "async_delete", Action: LinkStatus, Data: []string{"error_code", "error_message"}},
	{Type: "OWNERS", Code: "historical_update", Resource: "owners", Count: "total_owners", Data: []string{"total_owners"}},
	{Type: "OWNERS", Code: "new_owners_available", Resource: "owners", Count: "new_owners", Data: []string{"new_owners"}},
	{Type: "RECURRING_EXPENSES", Code: "historical_update", Resource: "recurring_expenses", Count: "total_recurring_expenses", Data: []string{"total_recurring_expenses"}},
	{Type: "RISK_INSIGHTS", Code: "historical_update", Resource: "risk_insights", Count: "total_risk_insights", Data: []string{"total_risk_insights"}},
	{Type: "TAX_COMPLIANCE_STATUS", Code: "historical_update", Resource: "tax_compliance_status", Count: "total_tax_compliance_status", Data: []string{"total_tax_compliance_status"}},
	{Type: "TAX_RETENTIONS", Code: "historical_update", Resource: "tax_retentions", Count: "total_tax_retentions",
		Data: []string{"total_tax_retentions", "first_tax_retention_date", "last_tax_retention_date"}},
	{Type: "TAX_RETURNS", Code: "historical_update", Resource: "tax_returns", Count: "total_tax_returns",
		Data:  []string{"type", "total_tax_returns", "first_tax_return_year", "last_tax_return_year"},
		Query: []Param{{Filter: FilterEjercicioRange, From: "first_tax_return_year", To: "last_tax_return_year"}}},
	{Type: "TAX_RETURNS", Code: "new_tax_returns_available", Resource: "tax_returns", Count: "new_tax_returns",
		Data:  []string{"type", "new_tax_returns"},
		Query: []Param{{Filter: FilterCreatedAtRange, Since: true}}},
	{Type: "TAX_STATUS", Code: "historical_update", Resource: "tax_status", Count: "total_tax_status", Data: []string{"total_tax_status", "last_status_change_date"}},
	{Type: "TRANSACTIONS", Code: "historical_update", Resource: "transactions", Count: "total_transactions",
		Data: []string{"total_transactions", "total_inflow_transactions", "total_outflow_transactions", "first_transaction_date", "last_transaction_date"}},
	{Type: "TRANSACTIONS", Code: "new_transactions_available", Alias: "new_transactions_updated", Resource: "transactions", Count: "new_transactions", Data: []string{"new_transactions"},
		Query: []Param{{Filter: FilterCreatedAtRange, Since: true}}},
	{Type: "TRANSACTIONS", Code: "transactions_updated", Resource: "transactions", Action: FetchIDs, IDs: "updated_transactions", Count: "count",
		Data: []string{"count", "updated_transactions"}},
	{Type: "TRANSACTIONS", Code: "transactions_deleted", Resource: "transactions", Action: Delete, IDs: "deleted_transactions", Count: "count",
		Data: []string{"count", "deleted_transactions"}},
}

// Lookup returns the catalogue row of a webhook type and code, accepting the
// alias spellings; ok is false for an event the catalogue does not know.
func Lookup(webhookType, code string) (Event, bool) {
	for _, e := range Catalogue {
		if e.Type == webhookType && (e.Code == code || (e.Alias != "" && e.Alias == code)) {
			return e, true
		}
	}
	return Event{}, false
}
