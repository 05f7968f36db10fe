package schemas

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dictionaries maps each resource to Belvo's data dictionaries of the
// shapes its list returns (../shared/belvo/data-dictionaries/en).
var dictionaries = map[string][]string{
	"accounts":                {"accounts.csv"},
	"bills":                   {"bills.csv"},
	"current_employments":     {"current_employments_mexico.csv"},
	"employment_metrics":      {"employment_metrics.csv"},
	"employment_records":      {"employment_records_mexico.csv"},
	"employments":             {"employments_brazil.csv"},
	"financial_statements":    {"financial_statements.csv"},
	"incomes":                 {"incomes.csv"},
	"investment_transactions": {"investment_transactions_brazil.csv"},
	"investments":             {"investments_brazil.csv"},
	"invoices":                {"invoices.csv"},
	"owners":                  {"owners_owner_individual_ofda_brazil.csv", "owners_owner_business_ofda_brazil.csv", "owners_owner_standard_multi_region.csv"},
	"recurring_expenses":      {"recurring_expenses.csv"},
	"risk_insights":           {"risk_insights.csv"},
	"tax_compliance_status":   {"tax_compliance_status.csv"},
	"tax_retentions":          {"tax_retentions.csv"},
	"tax_returns":             {"Tax_Return_Personal_Yearly.csv", "Tax_Return_Personal_Monthly.csv", "Tax_Return_Business_Yearly.csv", "Tax_Return_Business_Monthly.csv"},
	"tax_status":              {"tax_status.csv"},
	"transactions":            {"transactions.csv"},
}

type dictEntry struct{ typ, format string }

// readDictionary returns the dictionary's members by dotted path: list
// prefixes ("[].") and array markers ("a[].b") dropped.
func readDictionary(t *testing.T, files []string) map[string]dictEntry {
	t.Helper()
	out := map[string]dictEntry{}
	for _, name := range files {
		f, err := os.Open(filepath.Join(specDir, "..", "data-dictionaries", "en", name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, row := range rows[1:] {
			path := strings.TrimPrefix(strings.TrimSpace(row[0]), "[].")
			path = strings.ReplaceAll(strings.ReplaceAll(path, "[].", "."), "[]", "")
			out[path] = dictEntry{typ: row[3], format: row[4]}
		}
	}
	return out
}

// Every typed field and child view is a member Belvo's data dictionary
// documents (the field itself, or the section it lies in where the
// dictionary stops at a free-form section, as for tax returns), with a type
// its kind can read.
func TestFieldsInDataDictionaries(t *testing.T) {
	typeExceptions := map[string]bool{
		"financial_statements.year": true, // declared string, example and reality are numbers
	}
	for _, r := range Resources {
		files, ok := dictionaries[r.Name]
		if !ok {
			t.Errorf("%s: no data dictionary", r.Name)
			continue
		}
		dict := readDictionary(t, files)
		check := func(label, path string, k Kind, typed bool) {
			for p := path; p != ""; {
				if e, ok := dict[p]; ok {
					if typed && p == path && e.typ != "" && !typeExceptions[r.Name+"."+label] && !specAccepts(k, e.typ, e.format) {
						t.Errorf("%s.%s: kind %s cannot read the dictionary's %s %s", r.Name, label, k, e.typ, e.format)
					}
					if p != path && dict[p].typ != "object" {
						t.Errorf("%s.%s: %s is not in the dictionary (%s is a %s)", r.Name, label, path, p, dict[p].typ)
					}
					return
				}
				i := strings.LastIndexByte(p, '.')
				if i < 0 {
					break
				}
				p = p[:i]
			}
			t.Errorf("%s.%s: %s is in none of %v", r.Name, label, path, files)
		}
		for _, f := range r.Fields {
			check(f.Name, f.Path(), f.Kind, true)
		}
		for _, c := range r.Children {
			path := strings.ReplaceAll(c.Path, NestedSeparator, ".")
			check(c.Name, path, String, false)
			for _, f := range c.Fields {
				if f.Path() != ElementPath {
					check(c.Name+"."+f.Name, path+"."+f.Path(), f.Kind, true)
				}
			}
		}
	}
}
