package schemas

import "slices"

// Members of the bodies of Belvo's POST requests that the pipeline reads.
const (
	BodyLink           = "link"
	BodyDateFrom       = "date_from"
	BodyDateTo         = "date_to"
	BodyType           = "type"
	BodyFetchResources = "fetch_resources" // POST /api/links/{id}/refresh/
)

// AsyncBody is what Belvo's POST on a resource's list path takes, the body
// of an asynchronous retrieval (X-Belvo-Request-Mode: async), as the
// requestBody of that path's post in BelvoOpenApiSpec.json 1.223.0
// declares it. The request command builds bodies from it, the emulator
// validates them against it, and the fetcher narrows the answering
// webhook's fetch with RangeFilter.
type AsyncBody struct {
	Resource string   // a Resources name whose AsyncPost is set
	Required []string // members Belvo answers 400 required without
	Optional []string // the other members the spec declares
	// RangeFilter is the list filter selecting the records date_from and
	// date_to asked for, "" when the body takes no range.
	RangeFilter string
}

// AsyncBodies lists every resource that accepts an asynchronous POST.
var AsyncBodies = []AsyncBody{
	{Resource: "employment_records", Required: []string{BodyLink}, Optional: []string{"attach_pdf", "save_data"}},
	{Resource: "employments", Required: []string{BodyLink}, Optional: []string{BodyDateFrom, BodyDateTo, "save_data"},
		RangeFilter: FilterCreatedAtRange},
	{Resource: "financial_statements", Required: []string{BodyLink}, Optional: []string{"save_data"}},
	{Resource: "invoices", Required: []string{BodyLink, BodyDateFrom, BodyDateTo, BodyType}, Optional: []string{"attach_xml", "save_data"},
		RangeFilter: FilterInvoiceDateRange},
	{Resource: "transactions", Required: []string{BodyLink, BodyDateFrom, BodyDateTo}, Optional: []string{"account", "token", "save_data"},
		RangeFilter: FilterValueDateRange},
}

// AsyncBodyOf returns the body of resource's asynchronous POST; ok is
// false for a resource that takes none.
func AsyncBodyOf(resource string) (AsyncBody, bool) {
	for _, b := range AsyncBodies {
		if b.Resource == resource {
			return b, true
		}
	}
	return AsyncBody{}, false
}

// Needs reports whether member is required.
func (b AsyncBody) Needs(member string) bool { return slices.Contains(b.Required, member) }

// Takes reports whether member is part of the body at all.
func (b AsyncBody) Takes(member string) bool {
	return slices.Contains(b.Required, member) || slices.Contains(b.Optional, member)
}

// LinkRequired names the resources whose list refuses a request without
// link (400 required, field link): the spec declares the link query
// parameter required on their GET, and optional everywhere else.
var LinkRequired = []string{"bills", "employments", "investment_transactions", "investments", "transactions"}
