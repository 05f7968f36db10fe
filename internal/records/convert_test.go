package records

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/shopspring/decimal"
)

// probe has one field of every kind, some nested, so each rule is tested
// through the real path: Native, goavro encode and decode, Row.
func probe(t testing.TB) *Converter {
	t.Helper()
	c, err := New(schemas.Resource{Name: "probe", Spec: "test", Component: "Probe",
		Key: []string{"key.a", "key.b"},
		Fields: []schemas.Field{
			{Name: "text", Kind: schemas.String},
			{Name: "code", Kind: schemas.Enum},
			{Name: "count", Kind: schemas.Int},
			{Name: "ratio", Kind: schemas.Float},
			{Name: "flag", Kind: schemas.Bool},
			{Name: "amount", Kind: schemas.Decimal},
			{Name: "day", Kind: schemas.Date},
			{Name: "at", Kind: schemas.Timestamp},
			{Name: "nested_amount", JSON: "account.balance.current", Kind: schemas.Decimal},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// value converts a record whose member name holds the JSON text val, and
// returns the named column as the sink reads it after Avro.
func value(t *testing.T, c *Converter, field, member, val string) (any, error) {
	t.Helper()
	raw := json.RawMessage(`{"id": "r1", "` + member + `": ` + val + `}`)
	_, row, _, err := roundTrip(t, c, raw)
	if err != nil {
		return nil, err
	}
	return row[columnIndex(t, c.Resource(), field)], nil
}

func TestDecimalsExact(t *testing.T) {
	c := probe(t)
	for _, tc := range []struct{ in, want string }{
		{"1234.56", "1234.56"},
		{"-0.01", "-0.01"},
		{"0", "0"},
		{"12345678901234567890.1234567891", "12345678901234567890.1234567891"},
		{"-9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999"},
		{"1.5E-7", "0.00000015"},
		{"2e3", "2000"},
		{"1.00000000000000", "1"}, // extra decimals that are zeros lose nothing
		{`"1234.56"`, "1234.56"},  // Belvo types some amounts as strings
		{`"-0.01"`, "-0.01"},
	} {
		got, err := value(t, c, "amount", "amount", tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		d, ok := got.(decimal.Decimal)
		if !ok || !d.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("%s: got %v, want %s", tc.in, got, tc.want)
		}
	}
}

// checkUnfit converts a record whose member holds the JSON text val, which
// field cannot hold: the record is kept, with the column null, the field
// listed in unfit_fields (and no other), and raw byte for byte.
func checkUnfit(t *testing.T, c *Converter, field, member, val string) {
	t.Helper()
	raw := `{"id": "r1", "` + member + `": ` + val + `}`
	_, row, _, err := roundTrip(t, c, json.RawMessage(raw))
	if err != nil {
		t.Errorf("%s %s: record refused: %v", field, val, err)
		return
	}
	r := c.Resource()
	if got := row[columnIndex(t, r, field)]; got != nil {
		t.Errorf("%s %s: column %#v, want null", field, val, got)
	}
	if got := row[columnIndex(t, r, schemas.FieldUnfit)]; !reflect.DeepEqual(got, []string{field}) {
		t.Errorf("%s %s: unfit_fields %#v, want [%s]", field, val, got, field)
	}
	if got := row[columnIndex(t, r, schemas.FieldRaw)]; got != raw {
		t.Errorf("%s %s: raw %q, want %q", field, val, got, raw)
	}
}

// goavro would cut these silently (or accept them beyond the precision):
// the converter never rounds; the value is left to raw and the field is
// flagged, the record is kept.
func TestDecimalsThatDoNotFitAreFlagged(t *testing.T) {
	c := probe(t)
	for _, in := range []string{
		"0.30000000000000004",              // 0.1 + 0.2 in float64, as Belvo's format: float may send it
		"0.12345678901",                    // 11 decimal places
		"-12.34500000001",                  // a non-zero 11th decimal
		"10000000000000000000000000000",    // 29 integer digits
		"99999999999999999999999999999.99", // 29 integer digits with decimals
		"1e28",
		`"abc"`, `"1/3"`, `"NaN"`, `"0x10"`, `"1.2.3"`, `true`, `{}`, `[]`,
	} {
		checkUnfit(t, c, "amount", "amount", in)
	}
}

// goavro counts days with Unix()/86400, so a date built in another zone is
// off by one; dates are built at UTC midnight from the text as written.
func TestDates(t *testing.T) {
	c := probe(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`"2024-03-15"`, day(2024, 3, 15)},
		{`"2024-03-15T00:30:00+02:00"`, day(2024, 3, 15)},  // UTC would say the 14th
		{`"2019-10-23T23:59:59-05:00"`, day(2019, 10, 23)}, // UTC would say the 24th
		{`"2019-10-23T13:01:41.941Z"`, day(2019, 10, 23)},
		{`"1969-12-31"`, day(1969, 12, 31)}, // negative day count
		{`"1900-01-01"`, day(1900, 1, 1)},
		{`"2299-12-31"`, day(2299, 12, 31)},
		{`null`, nil},
		{`""`, nil},
	} {
		got, err := value(t, c, "day", "day", tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !sameValue(tc.want, got) {
			t.Errorf("%s: got %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{`"2024-02-30"`, `"15/03/2024"`, `"2024-3-5"`, `"2024-03-15X"`, `"1899-12-31"`, `"2300-01-01"`, `20240315`} {
		checkUnfit(t, c, "day", "day", in)
	}
}

func TestTimestamps(t *testing.T) {
	c := probe(t)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{`"2022-02-09T08:45:50.406032Z"`, time.Date(2022, 2, 9, 8, 45, 50, 406032000, time.UTC)},
		{`"2020-01-07T08:30:17.861202+00:00"`, time.Date(2020, 1, 7, 8, 30, 17, 861202000, time.UTC)},
		{`"2020-01-07T17:28:00-05:00"`, time.Date(2020, 1, 7, 22, 28, 0, 0, time.UTC)},
		{`"2020-01-07T17:28:00"`, time.Date(2020, 1, 7, 17, 28, 0, 0, time.UTC)},
		{`"2020-01-07T17:28:00.123456789Z"`, time.Date(2020, 1, 7, 17, 28, 0, 123456000, time.UTC)},
		{`"2022-07-21"`, time.Date(2022, 7, 21, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := value(t, c, "at", "at", tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !sameValue(tc.want, got) {
			t.Errorf("%s: got %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{`"yesterday"`, `"2020-01-07 17:28"`, `1581238000`} {
		checkUnfit(t, c, "at", "at", in)
	}
}

func TestScalars(t *testing.T) {
	c := probe(t)
	for _, tc := range []struct {
		field, in string
		want      any
	}{
		{"text", `"Café ☕"`, "Café ☕"},
		{"text", `1.50`, "1.50"}, // a number keeps its JSON text
		{"text", `2018`, "2018"},
		{"text", `false`, "false"},
		{"text", `""`, ""}, // empty text is a value, not a null
		{"code", `"BRL"`, "BRL"},
		{"count", `2018`, int64(2018)},
		{"count", `"2018"`, int64(2018)},
		{"count", `2018.0`, int64(2018)},
		{"count", `-9223372036854775808`, int64(-9223372036854775808)},
		{"ratio", `0.95`, 0.95},
		{"ratio", `-84.0393`, -84.0393},
		{"flag", `true`, true},
		{"flag", `false`, false},
	} {
		got, err := value(t, c, tc.field, tc.field, tc.in)
		if err != nil {
			t.Errorf("%s %s: %v", tc.field, tc.in, err)
			continue
		}
		if !sameValue(tc.want, got) {
			t.Errorf("%s %s: got %#v, want %#v", tc.field, tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ field, in string }{
		{"text", `{"a": 1}`}, {"text", `[1]`},
		{"count", `2018.5`}, {"count", `9223372036854775808`}, {"count", `"twelve"`},
		{"ratio", `1e999`}, {"ratio", `"Inf"`},
		{"flag", `"true"`}, {"flag", `1`},
	} {
		checkUnfit(t, c, tc.field, tc.field, tc.in)
	}
}

// Nulls, missing members and null parents are all a null column; a scalar
// where the path needs an object leaves the fields below it unfit.
func TestNulls(t *testing.T) {
	c := probe(t)
	for _, raw := range []string{
		`{"id": "r1"}`,
		`{"id": "r1", "text": null, "code": null, "count": null, "ratio": null, "flag": null, "amount": null, "day": null, "at": null}`,
		`{"id": "r1", "account": null}`,
		`{"id": "r1", "account": {"balance": null}}`,
		`{"id": "r1", "account": {"balance": {"current": null}}}`,
	} {
		_, row, _, err := roundTrip(t, c, json.RawMessage(raw))
		if err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		for i, f := range c.Resource().Fields {
			if row[2+i] != nil {
				t.Errorf("%s: %s = %#v, want null", raw, f.Name, row[2+i])
			}
		}
	}
	got, err := value(t, c, "nested_amount", "account", `{"balance": {"current": 5874.13}}`)
	if err != nil || !sameValue(decimal.RequireFromString("5874.13"), got) {
		t.Errorf("nested: got %v, %v", got, err)
	}
	checkUnfit(t, c, "nested_amount", "account", `{"balance": [1]}`)
	checkUnfit(t, c, "nested_amount", "account", `"closed"`)
}

func TestIDs(t *testing.T) {
	c := probe(t)
	for _, tc := range []struct {
		raw, want string
	}{
		{`{"id": "0d3ffb69-f83b-456e-ad8e-208d0998d71d"}`, "0d3ffb69-f83b-456e-ad8e-208d0998d71d"},
		{`{"id": 42}`, "42"},
		// Without id, the resource's Key values joined.
		{`{"key": {"a": "ABC1111111A1", "b": 2018}}`, "ABC1111111A1|2018"},
		{`{"id": null, "key": {"a": "x", "b": "y"}}`, "x|y"},
	} {
		n, err := c.Native(json.RawMessage(tc.raw), testLineage())
		if err != nil {
			t.Errorf("%s: %v", tc.raw, err)
			continue
		}
		if n[schemas.FieldID] != tc.want {
			t.Errorf("%s: id %v, want %s", tc.raw, n[schemas.FieldID], tc.want)
		}
	}
	for _, raw := range []string{
		`{"text": "no id"}`,
		`{"id": ""}`,
		`{"key": {"a": "x", "b": null}}`,
		`{"key": {"a": "x"}}`,
	} {
		_, err := c.Native(json.RawMessage(raw), testLineage())
		var fe *FieldError
		if !errors.Is(err, ErrMissingID) || !errors.As(err, &fe) || fe.Field != "id" {
			t.Errorf("%s: got %v, want ErrMissingID on field id", raw, err)
		}
	}
	// A resource without Key refuses a record without id.
	tx, _ := schemas.ResourceByName("transactions")
	ct, err := New(tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.Native(json.RawMessage(`{"amount": 1}`), testLineage()); !errors.Is(err, ErrMissingID) {
		t.Errorf("transactions without id: got %v", err)
	}
	if _, err := ct.Native(json.RawMessage(`{"id": {"x": 1}}`), testLineage()); err == nil {
		t.Error("object id accepted")
	}
}

func TestRawRefused(t *testing.T) {
	c := probe(t)
	for _, raw := range []string{``, `null`, `[]`, `"x"`, `{"id": "a"} {"id": "b"}`, `{"id": "a"`} {
		_, err := c.Native(json.RawMessage(raw), testLineage())
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != schemas.FieldRaw {
			t.Errorf("%q: got %v, want an error on raw", raw, err)
		}
	}
}

func TestLineage(t *testing.T) {
	c := probe(t)
	_, row, decoded, err := roundTrip(t, c, json.RawMessage(`{"id": "r1"}`))
	if err != nil {
		t.Fatal(err)
	}
	l := testLineage()
	want := map[string]any{
		schemas.FieldID:         "r1",
		schemas.FieldLinkID:     l.LinkID,
		schemas.FieldWebhookID:  l.WebhookID,
		schemas.FieldRequestID:  l.RequestID,
		schemas.FieldFetchedAt:  l.FetchedAt,
		schemas.ColumnTopic:     "belvo.records.probe",
		schemas.ColumnPartition: int32(3),
		schemas.ColumnOffset:    int64(42),
		schemas.ColumnVersion:   uint64(l.FetchedAt.UnixMicro()),
		schemas.ColumnIsDeleted: uint8(0),
	}
	for name, w := range want {
		if got := row[columnIndex(t, c.Resource(), name)]; !sameValue(w, got) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
	if decoded[schemas.FieldDeleted] != false {
		t.Errorf("deleted = %v", decoded[schemas.FieldDeleted])
	}

	// Unknown lineage ids are nulls, not empty strings.
	n, err := c.Native(json.RawMessage(`{"id": "r1"}`), Lineage{LinkID: "l", FetchedAt: l.FetchedAt})
	if err != nil {
		t.Fatal(err)
	}
	row, err = c.Row(nil, n, Position{})
	if err != nil {
		t.Fatal(err)
	}
	if row[columnIndex(t, c.Resource(), schemas.FieldWebhookID)] != nil || row[columnIndex(t, c.Resource(), schemas.FieldRequestID)] != nil {
		t.Errorf("empty lineage ids: %v", row)
	}

	for _, bad := range []Lineage{{FetchedAt: l.FetchedAt}, {LinkID: "l"}, {LinkID: "l", FetchedAt: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		if _, err := c.Native(json.RawMessage(`{"id": "r1"}`), bad); err == nil {
			t.Errorf("lineage %+v accepted", bad)
		}
	}
}

// A deletion is a row like any other, so it is replayable: is_deleted set,
// a version after the record's, no typed values and no raw.
func TestDeletion(t *testing.T) {
	c := probe(t)
	l := testLineage()
	l.FetchedAt = l.FetchedAt.Add(time.Hour)
	n, err := c.Deletion("r1", l)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := c.Codec().BinaryFromNative(nil, n)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := c.Codec().NativeFromBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	row, err := c.Row(nil, back.(map[string]any), Position{Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Resource()
	for i, f := range r.Fields {
		if row[2+i] != nil {
			t.Errorf("%s = %v on a deletion", f.Name, row[2+i])
		}
	}
	if row[columnIndex(t, r, schemas.FieldRaw)] != "" || row[columnIndex(t, r, schemas.ColumnIsDeleted)] != uint8(1) {
		t.Errorf("deletion row %v", row)
	}
	_, earlier, _, err := roundTrip(t, c, json.RawMessage(`{"id": "r1"}`))
	if err != nil {
		t.Fatal(err)
	}
	vi := columnIndex(t, r, schemas.ColumnVersion)
	if row[vi].(uint64) <= earlier[vi].(uint64) {
		t.Errorf("deletion version %v not after record version %v", row[vi], earlier[vi])
	}
	if _, err := c.Deletion("", l); !errors.Is(err, ErrMissingID) {
		t.Errorf("deletion without id: %v", err)
	}
}

// Row must survive what a sink decodes: records of an older schema version
// lack newer fields, and a poison record has wrong types.
func TestRowFromDecoded(t *testing.T) {
	c := probe(t)
	old := map[string]any{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0).UTC()}
	row, err := c.Row(make([]any, 0, 64), old, Position{})
	if err != nil {
		t.Fatal(err)
	}
	if len(row) != len(c.Resource().InsertColumns()) {
		t.Fatalf("row has %d values for %d columns", len(row), len(c.Resource().InsertColumns()))
	}
	for _, bad := range []map[string]any{
		{schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0)},
		{schemas.FieldID: "r1", schemas.FieldLinkID: "l"},
		{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0), "amount": "1.5"},
		{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0), "amount": map[string]any{"string": "1.5"}},
		{schemas.FieldID: "r1", schemas.FieldLinkID: "l", schemas.FieldFetchedAt: time.Unix(1, 0), "amount": map[string]any{"bytes.decimal": 1.5}},
	} {
		if _, err := c.Row(nil, bad, Position{}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// The fetcher's workers share one Converter per resource; under -race this
// pins that Native and Row keep no state between calls.
func TestConcurrentUse(t *testing.T) {
	r, _ := schemas.ResourceByName("transactions")
	c, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	raws := readRecords(t, examplesDir+"/openapi-generated-samples/v1.223.0/transactions.list.json")
	raws = append(raws, readRecords(t, examplesDir+"/openapi-examples/v1.59.0/transactions/TransactionsSavings.json")...)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				raw := raws[(w+i)%len(raws)]
				n, err := c.Native(raw, testLineage())
				if err != nil {
					t.Error(err)
					return
				}
				row, err := c.Row(nil, n, Position{})
				if err != nil || row[0] != n[schemas.FieldID] {
					t.Errorf("row %v: %v", row[:1], err)
					return
				}
			}
		})
	}
	wg.Wait()
}
