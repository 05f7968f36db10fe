package belvo_test

import (
	"testing"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/schemas"
)

// TestSetFilterParsesCatalogueValues pins that the values a plan built
// from schemas.Catalogue carries are checked and encoded as Belvo expects.
func TestSetFilterParsesCatalogueValues(t *testing.T) {
	cases := []struct {
		filter, value, want string // want "" means the value is refused
	}{
		{schemas.FilterCreatedAtRange, "2024-05-01,2024-06-01", "created_at__range=2024-05-01%2C2024-06-01"},
		{schemas.FilterValueDateRange, "2023-01-03, 2024-01-03", "value_date__range=2023-01-03%2C2024-01-03"},
		{schemas.FilterInvoiceDateRange, "2020-01-01,2020-12-31", "invoice_date__range=2020-01-01%2C2020-12-31"},
		{schemas.FilterEjercicioRange, "2019,2021", "ejercicio__range=2019%2C2021"},
		{schemas.FilterIDIn, "a, b,,c", "id__in=a%2Cb%2Cc"},
		{schemas.FilterType, "inflow", "type=INFLOW"},
		{schemas.FilterCreatedAtRange, "2024-06-01,2024-05-01", ""},
		{schemas.FilterCreatedAtRange, "yesterday,today", ""},
		{schemas.FilterEjercicioRange, "2021", ""},
		{schemas.FilterType, "SIDEWAYS", ""},
		{schemas.FilterIDIn, ",", ""},
		{"amount__gt", "5", ""},
	}
	for _, tc := range cases {
		var q belvo.Query
		err := q.SetFilter(tc.filter, tc.value)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s=%q accepted as %s", tc.filter, tc.value, q.Values().Encode())
		case tc.want != "" && err != nil:
			t.Errorf("%s=%q: %v", tc.filter, tc.value, err)
		case tc.want != "" && q.Values().Encode() != tc.want:
			t.Errorf("%s=%q encoded %q, want %q", tc.filter, tc.value, q.Values().Encode(), tc.want)
		}
	}
}
