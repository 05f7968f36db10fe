package schemas

import (
	"fmt"
	"strings"
)

// Child is an array inside a Belvo record that analysts query as rows of its
// own: an invoice's line items, an owner's addresses, an income's streams.
// It is not a table: the parent's raw JSON already holds the array, byte for
// byte, so a view unnests it from the parent's current rows. Nothing is
// stored twice, nothing changes in the Avro records, and a re-fetched or
// deleted parent changes its children with it.
type Child struct {
	Name string // view name, unique among tables and views
	// Path is the dotted JSON path of the array in the parent record. An
	// array inside the elements of another array is reached through it:
	// "payments[].related_documents" (one level of nesting at most).
	Path     string
	ParentID string  // column holding the parent's id, e.g. invoice_id
	Fields   []Field // typed columns; paths are relative to one element, ElementPath for an array of scalars
}

// ElementPath as a child field's JSON path reads the element itself: the
// array holds scalars (a list of ids, of dates), not objects.
const ElementPath = "$"

// Column names every child view has besides its parent id and Fields.
const (
	ChildColumnPosition       = "position"        // 1-based index of the element in its array
	ChildColumnParentPosition = "parent_position" // for a nested array: 1-based index of the outer element
	ChildColumnRaw            = "element"         // the element's JSON text, for members not typed
)

// NestedSeparator joins the outer array's path and the inner array's path
// in the Path of a child nested in another array.
const NestedSeparator = "[]."

// levels splits Path into the array paths to unnest, outermost first.
func (c Child) levels() []string { return strings.Split(c.Path, NestedSeparator) }

// validateChildren checks what the view generator relies on.
func (r Resource) validateChildren() error {
	seen := map[string]bool{}
	for _, c := range r.Children {
		if !isSnakeName(c.Name) || !isSnakeName(c.ParentID) {
			return fmt.Errorf("resource %s child %q: names must be snake_case", r.Name, c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("resource %s child %s: listed twice", r.Name, c.Name)
		}
		seen[c.Name] = true
		levels := c.levels()
		if len(levels) > 2 {
			return fmt.Errorf("resource %s child %s: arrays nested more than one level in %q", r.Name, c.Name, c.Path)
		}
		for _, l := range levels {
			if !isPath(l) {
				return fmt.Errorf("resource %s child %s: malformed JSON path %q", r.Name, c.Name, c.Path)
			}
		}
		if len(c.Fields) == 0 {
			return fmt.Errorf("resource %s child %s: no fields", r.Name, c.Name)
		}
		cols := map[string]bool{c.ParentID: true, FieldLinkID: true, ChildColumnPosition: true, ChildColumnParentPosition: true, ChildColumnRaw: true}
		for _, f := range c.Fields {
			if !isSnakeName(f.Name) || cols[f.Name] {
				return fmt.Errorf("resource %s child %s field %q: not snake_case, used twice or reserved", r.Name, c.Name, f.Name)
			}
			cols[f.Name] = true
			if f.Kind > Enum {
				return fmt.Errorf("resource %s child %s field %s: unknown kind %d", r.Name, c.Name, f.Name, f.Kind)
			}
			if f.Path() != ElementPath && !isPath(f.Path()) {
				return fmt.Errorf("resource %s child %s field %s: malformed JSON path %q", r.Name, c.Name, f.Name, f.Path())
			}
		}
	}
	return nil
}

// ChildViews returns one CREATE OR REPLACE VIEW statement per child of the
// resource, in database db (quoted as needed) and, when cluster is set, ON
// CLUSTER. Each view reads the parent table FINAL, so it shows the children
// of the latest fetch of every record and none of a deleted one, whatever
// the merges have done. Re-applying a statement replaces the view with the
// same text: the DDL stays idempotent.
func (r Resource) ChildViews(db, cluster string) []string {
	out := make([]string, 0, len(r.Children))
	for _, c := range r.Children {
		out = append(out, r.childView(c, db, cluster))
	}
	return out
}

func (r Resource) childView(c Child, db, cluster string) string {
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW " + QuoteIdent(db) + "." + QuoteIdent(c.Name))
	if cluster != "" {
		b.WriteString(" ON CLUSTER " + quoteString(cluster))
	}
	levels := c.levels()
	b.WriteString(" AS\nSELECT\n")
	b.WriteString("    `id` AS " + QuoteIdent(c.ParentID) + ",\n")
	b.WriteString("    `link_id`,\n")
	if len(levels) > 1 {
		b.WriteString("    `n_outer` AS " + QuoteIdent(ChildColumnParentPosition) + ",\n")
	}
	b.WriteString("    `n` AS " + QuoteIdent(ChildColumnPosition) + ",\n")
	for _, f := range c.Fields {
		b.WriteString("    " + extract(f) + " AS " + QuoteIdent(f.Name) + ",\n")
	}
	b.WriteString("    `e` AS " + QuoteIdent(ChildColumnRaw) + "\n")
	// ClickHouse takes one ARRAY JOIN clause per SELECT: a nested child
	// unnests the outer array in a subquery, the inner one around it.
	table := QuoteIdent(db) + "." + QuoteIdent(r.Name) + " FINAL"
	if len(levels) == 1 {
		b.WriteString("FROM " + table + "\n" + arrayJoin("`raw`", levels[0], "`e`", "`n`"))
	} else {
		b.WriteString("FROM\n(\n    SELECT `id`, `link_id`, `e_outer`, `n_outer`\n    FROM " + table + "\n    " +
			strings.ReplaceAll(arrayJoin("`raw`", levels[0], "`e_outer`", "`n_outer`"), "\n", "\n    ") + "\n)\n" +
			arrayJoin("`e_outer`", levels[1], "`e`", "`n`"))
	}
	return b.String()
}

// arrayJoin unnests the array at path in the JSON column from, naming each
// element elem and its 1-based index pos.
func arrayJoin(from, path, elem, pos string) string {
	arr := "JSONExtractArrayRaw(" + from
	for _, seg := range strings.Split(path, ".") {
		arr += ", " + quoteString(seg)
	}
	arr += ")"
	return "ARRAY JOIN\n    " + arr + " AS " + elem + ",\n    arrayEnumerate(" + arr + ") AS " + pos
}

// extract is the ClickHouse expression reading field f of element `e` as
// its kind's column type. A value of another JSON type reads as NULL rather
// than failing the query: the element's text stays beside it.
func extract(f Field) string {
	var keys string
	if f.Path() != ElementPath {
		for _, seg := range strings.Split(f.Path(), ".") {
			keys += ", " + quoteString(seg)
		}
	}
	return f.Kind.Type().FromJSON("`e`" + keys)
}

var accountsChildren = []Child{
	{Name: "account_credit_limits", Path: "credit_data.limits", ParentID: "account_id", Fields: []Field{
		{Name: "identification_number", Kind: String},
		{Name: "credit_limit", Kind: Decimal},
		{Name: "used_amount", Kind: Decimal},
		{Name: "available_amount", Kind: Decimal},
		{Name: "is_limit_flexible", Kind: Bool},
		{Name: "type", Kind: Enum},
		{Name: "consolidation_type", Kind: Enum},
		{Name: "line_name", Kind: String},
		{Name: "line_name_additional_info", Kind: String},
	}},
	{Name: "account_credit_cards", Path: "credit_data.cards", ParentID: "account_id", Fields: []Field{
		{Name: "is_multiple", Kind: Bool},
		{Name: "identification_number", Kind: String},
	}},
	{Name: "account_loan_interest_rates", Path: "loan_data.interest_rates", ParentID: "account_id", Fields: []Field{
		{Name: "name", Kind: String},
		{Name: "type", Kind: Enum},
		{Name: "value", Kind: Decimal},
		{Name: "interest_rate_data_tax_type", JSON: "interest_rate_data.tax_type", Kind: Enum},
		{Name: "interest_rate_data_rate_type", JSON: "interest_rate_data.rate_type", Kind: Enum},
		{Name: "interest_rate_data_type", JSON: "interest_rate_data.type", Kind: Enum},
		{Name: "interest_rate_data_calculation_base", JSON: "interest_rate_data.calculation_base", Kind: Enum},
		{Name: "interest_rate_data_reference_index_type", JSON: "interest_rate_data.reference_index_type", Kind: Enum},
		{Name: "interest_rate_data_reference_index_subtype", JSON: "interest_rate_data.reference_index_subtype", Kind: Enum},
		{Name: "interest_rate_data_reference_index_info", JSON: "interest_rate_data.reference_index_info", Kind: String},
		{Name: "interest_rate_data_pre_fixed_rate", JSON: "interest_rate_data.pre_fixed_rate", Kind: Float},
		{Name: "interest_rate_data_post_fixed_rate", JSON: "interest_rate_data.post_fixed_rate", Kind: Float},
		{Name: "interest_rate_data_additional_info", JSON: "interest_rate_data.additional_info", Kind: String},
	}},
	{Name: "account_loan_fees", Path: "loan_data.fees", ParentID: "account_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "value", Kind: Decimal},
		{Name: "name", Kind: String},
		{Name: "code", Kind: String},
		{Name: "fee_charge_type", Kind: Enum},
		{Name: "fee_charge", Kind: String},
		{Name: "rate", Kind: Float},
	}},
	{Name: "account_loan_contracted_charges", Path: "loan_data.contracted_charges", ParentID: "account_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "info", Kind: String},
		{Name: "rate", Kind: Float},
	}},
	{Name: "account_loan_collaterals", Path: "loan_data.collaterals", ParentID: "account_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "subtype", Kind: Enum},
		{Name: "currency", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
	{Name: "account_loan_balloon_payments", Path: "loan_data.balloon_payments", ParentID: "account_id", Fields: []Field{
		{Name: "due_date", Kind: Date},
		{Name: "currency", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
	{Name: "account_loan_disbursement_dates", Path: "loan_data.disbursement_dates", ParentID: "account_id", Fields: []Field{
		{Name: "disbursement_date", JSON: ElementPath, Kind: Date},
	}},
}

var billsChildren = []Child{
	{Name: "bill_finance_charges", Path: "finance_charges", ParentID: "bill_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "additional_info", Kind: String},
		{Name: "currency", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
	{Name: "bill_payments", Path: "payments", ParentID: "bill_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "payment_date", Kind: Date},
		{Name: "payment_mode", Kind: String},
		{Name: "currency", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
}

var currentEmploymentsChildren = []Child{
	{Name: "current_employment_document_ids", Path: "personal_data.document_ids", ParentID: "current_employment_id", Fields: []Field{
		{Name: "document_type", Kind: Enum},
		{Name: "document_number", Kind: String},
	}},
	{Name: "current_employment_records", Path: "current_employment_records", ParentID: "current_employment_id", Fields: []Field{
		{Name: "employer", Kind: String},
		{Name: "employer_id", Kind: String},
		{Name: "employer_rfc", Kind: String},
		{Name: "state", Kind: Enum},
		{Name: "days_employed", Kind: Int},
		{Name: "base_salary", Kind: Decimal},
		{Name: "monthly_salary", Kind: Decimal},
	}},
}

var employmentRecordsChildren = []Child{
	{Name: "employment_record_document_ids", Path: "personal_data.document_ids", ParentID: "employment_record_id", Fields: []Field{
		{Name: "document_type", Kind: Enum},
		{Name: "document_number", Kind: String},
	}},
	{Name: "employment_record_jobs", Path: "employment_records", ParentID: "employment_record_id", Fields: []Field{
		{Name: "collected_at", Kind: Timestamp},
		{Name: "employer", Kind: String},
		{Name: "employer_id", Kind: String},
		{Name: "start_date", Kind: Date},
		{Name: "end_date", Kind: Date},
		{Name: "weeks_employed", Kind: Int},
		{Name: "state", Kind: Enum},
		{Name: "most_recent_base_salary", Kind: Decimal},
		{Name: "monthly_salary", Kind: Decimal},
		{Name: "currency", Kind: Enum},
	}},
	// Salary changes per job: parent_position is the job's position.
	{Name: "employment_record_job_updates", Path: "employment_records[].employment_status_updates", ParentID: "employment_record_id", Fields: []Field{
		{Name: "event", Kind: Enum},
		{Name: "base_salary", Kind: Decimal},
		{Name: "update_date", Kind: Date},
	}},
	{Name: "employment_record_scores", Path: "employment_scores", ParentID: "employment_record_id", Fields: []Field{
		{Name: "score", Kind: Int},
		{Name: "period", Kind: Int},
		{Name: "version", Kind: Enum},
	}},
}

var employmentsChildren = []Child{
	{Name: "employment_occupations", Path: "occupations", ParentID: "employment_id", Fields: []Field{
		{Name: "start_date", Kind: Date},
		{Name: "end_date", Kind: Date},
		{Name: "description", Kind: String},
		{Name: "name", Kind: String},
		{Name: "locale", Kind: String},
	}},
	{Name: "employment_salaries", Path: "salaries", ParentID: "employment_id", Fields: []Field{
		{Name: "base_amount", Kind: Decimal},
		{Name: "retained_amount", Kind: Decimal},
		{Name: "type", Kind: Enum},
		{Name: "month", Kind: String},
		{Name: "currency", Kind: Enum},
	}},
}

var incomesChildren = []Child{
	{Name: "income_streams", Path: "income_streams", ParentID: "income_id", Fields: []Field{
		{Name: "account_id", Kind: String},
		{Name: "income_type", Kind: Enum},
		{Name: "frequency", Kind: Enum},
		{Name: "monthly_average", Kind: Decimal},
		{Name: "monthly_median", Kind: Decimal},
		{Name: "average_income_amount", Kind: Decimal},
		{Name: "last_income_amount", Kind: Decimal},
		{Name: "currency", Kind: Enum},
		{Name: "last_income_description", Kind: String},
		{Name: "last_income_date", Kind: Date},
		{Name: "stability", Kind: Float},
		{Name: "regularity", Kind: Float},
		{Name: "trend", Kind: Float},
		{Name: "lookback_periods", Kind: Int},
		{Name: "full_periods", Kind: Int},
		{Name: "periods_with_income", Kind: Int},
		{Name: "number_of_incomes", Kind: Int},
		{Name: "confidence", Kind: Enum},
	}},
	{Name: "income_good_working_days", Path: "good_working_days_to_charge", ParentID: "income_id", Fields: []Field{
		{Name: "day", JSON: ElementPath, Kind: Int},
	}},
}

var invoicesChildren = []Child{
	{Name: "invoice_details", Path: "invoice_details", ParentID: "invoice_id", Fields: []Field{
		{Name: "collected_at", Kind: Timestamp},
		{Name: "description", Kind: String},
		{Name: "product_identification", Kind: String},
		{Name: "quantity", Kind: Float},
		{Name: "unit_code", Kind: String},
		{Name: "unit_description", Kind: String},
		{Name: "unit_amount", Kind: Decimal},
		{Name: "discount", Kind: Decimal},
		{Name: "tax_subject_code", Kind: String},
		{Name: "identifier_number", Kind: String},
		{Name: "pre_tax_amount", Kind: Decimal},
		{Name: "tax_percentage", Kind: Float},
		{Name: "tax_amount", Kind: Decimal},
		{Name: "total_amount", Kind: Decimal},
	}},
	// Taxes per line item: parent_position is the line's position.
	{Name: "invoice_detail_retained_taxes", Path: "invoice_details[].retained_taxes", ParentID: "invoice_id", Fields: []Field{
		{Name: "tax_type", Kind: Enum},
		{Name: "tax", Kind: Enum},
		{Name: "tax_percentage", Kind: Float},
		{Name: "retained_tax_amount", Kind: Decimal},
	}},
	{Name: "invoice_detail_transferred_taxes", Path: "invoice_details[].transferred_taxes", ParentID: "invoice_id", Fields: []Field{
		{Name: "tax_type", Kind: Enum},
		{Name: "tax", Kind: Enum},
		{Name: "tax_percentage", Kind: Float},
		{Name: "transferred_tax_amount", Kind: Decimal},
	}},
	{Name: "invoice_payments", Path: "payments", ParentID: "invoice_id", Fields: []Field{
		{Name: "date", Kind: Timestamp},
		{Name: "payment_type", Kind: Enum},
		{Name: "currency", Kind: Enum},
		{Name: "exchange_rate", Kind: String},
		{Name: "amount", Kind: Decimal},
		{Name: "operation_number", Kind: String},
		{Name: "beneficiary_rfc", Kind: String},
		{Name: "beneficiary_account_number", Kind: String},
		{Name: "payer_rfc", Kind: String},
		{Name: "payer_account_number", Kind: String},
		{Name: "payer_bank_name", Kind: String},
	}},
	// The invoices a payment settles (CFDI Pago), from the payment's
	// related_documents: parent_position is the payment's position.
	{Name: "invoice_payment_documents", Path: "payments[].related_documents", ParentID: "invoice_id", Fields: []Field{
		{Name: "invoice_identification", Kind: String},
		{Name: "currency", Kind: Enum},
		{Name: "payment_method", Kind: Enum},
		{Name: "partiality_number", Kind: Int},
		{Name: "previous_balance", Kind: Decimal},
		{Name: "amount_paid", Kind: Decimal},
		{Name: "outstanding_balance", Kind: Decimal},
	}},
	{Name: "invoice_related_invoices", Path: "related_invoices", ParentID: "invoice_id", Fields: []Field{
		{Name: "relationship_type", Kind: Enum},
		{Name: "related_invoice_identification", Kind: String},
	}},
	{Name: "invoice_retained_taxes", Path: "tax_details.retained_taxes", ParentID: "invoice_id", Fields: []Field{
		{Name: "tax_type", Kind: Enum},
		{Name: "tax", Kind: String},
		{Name: "tax_percentage", Kind: Float},
		{Name: "pre_tax_amount", Kind: Decimal},
		{Name: "tax_amount", Kind: Decimal},
	}},
	{Name: "invoice_transferred_taxes", Path: "tax_details.transferred_taxes", ParentID: "invoice_id", Fields: []Field{
		{Name: "tax_type", Kind: Enum},
		{Name: "tax", Kind: String},
		{Name: "tax_percentage", Kind: Float},
		{Name: "pre_tax_amount", Kind: Decimal},
		{Name: "tax_amount", Kind: Decimal},
	}},
	{Name: "invoice_payroll_earnings", Path: "payroll.earnings_breakdown", ParentID: "invoice_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "taxable_amount", Kind: Decimal},
		{Name: "vat_free_amount", Kind: Decimal},
	}},
	{Name: "invoice_payroll_deductions", Path: "payroll.tax_deductions", ParentID: "invoice_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
	{Name: "invoice_payroll_other_payments", Path: "payroll.other_payments", ParentID: "invoice_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "amount", Kind: Decimal},
	}},
}

var ownersChildren = []Child{
	{Name: "owner_companies", Path: "companies_id", ParentID: "owner_id", Fields: []Field{
		{Name: "company_id", JSON: ElementPath, Kind: String},
	}},
	{Name: "owner_documents", Path: "additional_documents", ParentID: "owner_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "type_additional_info", Kind: String},
		{Name: "number", Kind: String},
		{Name: "check_digit", Kind: String},
		{Name: "issue_date", Kind: Date},
		{Name: "expiration_date", Kind: Date},
		{Name: "country_of_issuance", Kind: String},
		{Name: "additional_info", Kind: String},
	}},
	{Name: "owner_nationalities", Path: "nationalities", ParentID: "owner_id", Fields: []Field{
		{Name: "info", Kind: String},
	}},
	{Name: "owner_nationality_documents", Path: "nationalities[].documents", ParentID: "owner_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "number", Kind: String},
		{Name: "issue_date", Kind: Date},
		{Name: "expiration_date", Kind: Date},
		{Name: "country_of_issuance", Kind: Enum},
	}},
	{Name: "owner_emails", Path: "emails", ParentID: "owner_id", Fields: []Field{
		{Name: "is_main", Kind: Bool},
		{Name: "email", Kind: String},
	}},
	{Name: "owner_addresses", Path: "addresses", ParentID: "owner_id", Fields: []Field{
		{Name: "is_main", Kind: Bool},
		{Name: "address", Kind: String},
		{Name: "additional_info", Kind: String},
		{Name: "district_name", Kind: String},
		{Name: "town", Kind: String},
		{Name: "town_code", Kind: String},
		{Name: "state", Kind: Enum},
		{Name: "postcode", Kind: String},
		{Name: "country_name", Kind: String},
		{Name: "country_code", Kind: Enum},
		{Name: "latitude", Kind: String},
		{Name: "longitude", Kind: String},
	}},
	{Name: "owner_phone_numbers", Path: "phone_numbers", ParentID: "owner_id", Fields: []Field{
		{Name: "is_main", Kind: Bool},
		{Name: "type", Kind: Enum},
		{Name: "additional_info", Kind: String},
		{Name: "number", Kind: String},
		{Name: "country_code", Kind: Enum},
		{Name: "area_code", Kind: String},
		{Name: "extension", Kind: String},
	}},
	{Name: "owner_filiations", Path: "filiations", ParentID: "owner_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "civil_name", Kind: String},
		{Name: "social_name", Kind: String},
	}},
	{Name: "owner_product_services", Path: "financial_relation.product_services", ParentID: "owner_id", Fields: []Field{
		{Name: "product_service", JSON: ElementPath, Kind: Enum},
	}},
	{Name: "owner_procurators", Path: "financial_relation.procurators", ParentID: "owner_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "civil_name", Kind: String},
		{Name: "social_name", Kind: String},
		{Name: "document_number", Kind: String},
	}},
	{Name: "owner_products", Path: "financial_relation.products", ParentID: "owner_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "subtype", Kind: Enum},
		{Name: "agency", Kind: String},
		{Name: "clearing_code", Kind: String},
		{Name: "number", Kind: String},
		{Name: "check_digit", Kind: String},
	}},
	{Name: "owner_salary_portability_requests", Path: "financial_relation.salary_portability_requests", ParentID: "owner_id", Fields: []Field{
		{Name: "employer_name", Kind: String},
		{Name: "employer_id_number", Kind: String},
		{Name: "employer_bank_id_number", Kind: String},
		{Name: "employer_bank_code", Kind: String},
		{Name: "portability_approval_date", Kind: Date},
	}},
	// The business shape's partners and administrators.
	{Name: "owner_parties", Path: "parties", ParentID: "owner_id", Fields: []Field{
		{Name: "person_type", Kind: Enum},
		{Name: "type", Kind: Enum},
		{Name: "display_name", Kind: String},
		{Name: "company_name", Kind: String},
		{Name: "start_date", Kind: Date},
		{Name: "percentage_type", Kind: Float},
		{Name: "document_type", Kind: Enum},
		{Name: "document_number", Kind: String},
		{Name: "document_country", Kind: Enum},
	}},
	{Name: "owner_payroll_accounts", Path: "financial_relation.payroll_accounts", ParentID: "owner_id", Fields: []Field{
		{Name: "employer_name", Kind: String},
		{Name: "employer_id_number", Kind: String},
		{Name: "employer_bank_id_number", Kind: String},
		{Name: "employer_bank_code", Kind: String},
		{Name: "account_opening_date", Kind: Date},
	}},
}

var recurringExpensesChildren = []Child{
	{Name: "recurring_expense_transactions", Path: "transactions", ParentID: "recurring_expense_id", Fields: []Field{
		{Name: "amount", Kind: Decimal},
		{Name: "description", Kind: String},
		{Name: "value_date", Kind: Date},
	}},
}

var riskInsightsChildren = []Child{
	{Name: "risk_insight_accounts", Path: "accounts", ParentID: "risk_insight_id", Fields: []Field{
		{Name: "account_id", JSON: ElementPath, Kind: String},
	}},
	{Name: "risk_insight_institutions", Path: "assets_metrics.institutions", ParentID: "risk_insight_id", Fields: []Field{
		{Name: "institution", JSON: ElementPath, Kind: Enum},
	}},
	{Name: "risk_insight_categories", Path: "category_metrics", ParentID: "risk_insight_id", Fields: []Field{
		{Name: "category", Kind: Enum},
		{Name: "subcategory", Kind: String},
		{Name: "net_amount_3m", Kind: Decimal},
		{Name: "category_inflow_ratio_3m", Kind: Float},
		{Name: "trend_3m", Kind: Float},
	}},
}

var taxRetentionsChildren = []Child{
	{Name: "tax_retention_breakdown", Path: "retention_breakdown", ParentID: "tax_retention_id", Fields: []Field{
		{Name: "base_amount", Kind: Decimal},
		{Name: "tax_type", Kind: Enum},
		{Name: "retained_amount", Kind: Decimal},
		{Name: "payment_status", Kind: Enum},
	}},
}

var taxStatusChildren = []Child{
	{Name: "tax_status_economic_activities", Path: "economic_activity", ParentID: "tax_status_id", Fields: []Field{
		{Name: "economic_activity", Kind: String},
		{Name: "initial_date", Kind: String},
		{Name: "end_date", Kind: Date},
		{Name: "order", Kind: String},
		{Name: "percentage", Kind: String},
	}},
	{Name: "tax_status_regimes", Path: "regimes", ParentID: "tax_status_id", Fields: []Field{
		{Name: "end_date", Kind: Date},
		{Name: "initial_date", Kind: Date},
		{Name: "regimen", Kind: Enum},
	}},
	{Name: "tax_status_obligations", Path: "obligations", ParentID: "tax_status_id", Fields: []Field{
		{Name: "obligation", Kind: String},
		{Name: "expiration", Kind: String},
		{Name: "initial_date", Kind: Date},
		{Name: "end_date", Kind: Date},
	}},
	{Name: "tax_status_between_streets", Path: "address.between_street", ParentID: "tax_status_id", Fields: []Field{
		{Name: "street_one", Kind: String},
		{Name: "street_two", Kind: String},
	}},
}

var transactionsChildren = []Child{
	{Name: "transaction_loan_fees", Path: "loan_data.fees", ParentID: "transaction_id", Fields: []Field{
		{Name: "name", Kind: String},
		{Name: "code", Kind: String},
		{Name: "amount", Kind: Decimal},
	}},
	{Name: "transaction_loan_charges", Path: "loan_data.charges", ParentID: "transaction_id", Fields: []Field{
		{Name: "type", Kind: Enum},
		{Name: "info", Kind: String},
		{Name: "amount", Kind: Decimal},
	}},
}

// The sections of a tax return are free-form in the spec; these members
// are read from Belvo's personal yearly examples and data dictionary.
var taxReturnsChildren = []Child{
	{Name: "tax_return_salary_retentions", Path: "retenciones.sueldos_salarios", ParentID: "tax_return_id", Fields: []Field{
		{Name: "rfc_retenedor", Kind: String},
		{Name: "monto_retenciones", Kind: Decimal},
		{Name: "retenciones_isr", Kind: Decimal},
	}},
	{Name: "tax_return_professional_retentions", Path: "retenciones.servicios_profesionales", ParentID: "tax_return_id", Fields: []Field{
		{Name: "rfc_retenedor", Kind: String},
		{Name: "monto_retenciones", Kind: Decimal},
		{Name: "retenciones_isr", Kind: Decimal},
	}},
	{Name: "tax_return_medical_deductions", Path: "deducciones_personales.honorarios_medicos_dentales_hospitalarios", ParentID: "tax_return_id", Fields: []Field{
		{Name: "rfc_emisor", Kind: String},
		{Name: "monto_deducible", Kind: Decimal},
	}},
}
