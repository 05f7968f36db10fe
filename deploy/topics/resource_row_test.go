package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Adding a resource is one row (docs/architecture.md, Adding a resource): a
// synthetic row, appended to schemas.Resources for this test only with its
// webhook in the catalogue, reaches every generated piece, and the pieces
// agree: the Avro schema has its typed fields with their kinds' types, the
// table of migration 0001 has a column for every Avro field with the kinds'
// column types, the freshness view reads the table, the deployment has its
// record and webhook topics, and the emulator takes the row up (it refuses
// to serve it until a template of Belvo's shape exists).
func TestASyntheticResourceRowReachesEveryGeneratedPiece(t *testing.T) {
	row := schemas.Resource{Name: "synthetic_widgets", WebhookType: "SYNTHETIC_WIDGETS", Path: "/api/synthetic-widgets/",
		Spec: "1.223.0", Component: "SyntheticWidget", DateField: "created_at", Filters: []string{schemas.FilterCreatedAtRange},
		Fields: []schemas.Field{
			{Name: "amount", Kind: schemas.Decimal},
			{Name: "category", Kind: schemas.Enum},
			{Name: "value_date", Kind: schemas.Date},
			{Name: "collected_at", Kind: schemas.Timestamp},
			{Name: "description", Kind: schemas.String},
			{Name: "quantity", Kind: schemas.Int},
		}}
	if err := row.Validate(); err != nil {
		t.Fatal(err)
	}
	resources, catalogue := schemas.Resources, schemas.Catalogue
	t.Cleanup(func() { schemas.Resources, schemas.Catalogue = resources, catalogue })
	schemas.Resources = append(slices.Clone(resources), row)
	schemas.Catalogue = append(slices.Clone(catalogue), schemas.Event{Type: row.WebhookType, Code: "historical_update",
		Resource: row.Name, Count: "total_synthetic_widgets", Data: []string{"total_synthetic_widgets"}})
	if _, ok := schemas.TableByName(row.Name); !ok {
		t.Fatal("the row is not among schemas.Tables()")
	}

	// Avro: a schema goavro compiles, one field per typed field, each the
	// nullable union of its kind's type.
	avsc := row.AvroSchema()
	if _, err := goavro.NewCodec(avsc); err != nil {
		t.Fatalf("the generated Avro schema does not compile: %v\n%s", err, avsc)
	}
	var parsed struct {
		Name, Namespace string
		Fields          []struct {
			Name string
			Type json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(avsc), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.Namespace != schemas.AvroNamespace {
		t.Errorf("namespace %q, want %q", parsed.Namespace, schemas.AvroNamespace)
	}
	avroType := map[string]string{}
	for _, f := range parsed.Fields {
		avroType[f.Name] = string(f.Type)
	}
	for _, f := range row.Fields {
		want, _ := json.Marshal([]any{"null", f.Kind.Type().Avro})
		if got, ok := avroType[f.Name]; !ok || !jsonEqual(t, got, string(want)) {
			t.Errorf("Avro field %s: %s, want %s", f.Name, got, want)
		}
	}

	// ClickHouse: the table of migration 0001, a column for every Avro field
	// (deleted is is_deleted), typed fields with their kinds' column types.
	ddl := migrate.RecordTables(migrate.Target{Database: schemas.ClickHouseDatabase})
	head := "CREATE TABLE IF NOT EXISTS " + schemas.QuoteIdent(schemas.ClickHouseDatabase) + "." + schemas.QuoteIdent(row.Name) + "\n("
	i := strings.Index(ddl, head)
	if i < 0 {
		t.Fatalf("migration 0001 has no table %s", row.Name)
	}
	table := ddl[i : i+strings.Index(ddl[i:], ";")]
	columns := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		name, typ, ok := strings.Cut(strings.TrimSuffix(strings.TrimSpace(line), ","), " ")
		if ok && strings.HasPrefix(name, "`") {
			columns[strings.Trim(name, "`")] = typ
		}
	}
	for _, f := range parsed.Fields {
		col := f.Name
		if col == schemas.FieldDeleted {
			col = schemas.ColumnIsDeleted
		}
		if _, ok := columns[col]; !ok {
			t.Errorf("Avro field %s has no column %s in the table", f.Name, col)
		}
	}
	for _, f := range row.Fields {
		if got := columns[f.Name]; got != f.Kind.ClickHouseType() {
			t.Errorf("column %s: %q, want %q", f.Name, got, f.Kind.ClickHouseType())
		}
	}
	if view := migrate.FreshnessView(migrate.Target{Database: schemas.ClickHouseDatabase}); !strings.Contains(view, "FROM "+schemas.QuoteIdent(schemas.ClickHouseDatabase)+"."+schemas.QuoteIdent(row.Name)) {
		t.Errorf("the freshness view does not read %s", row.Name)
	}

	// Kafka: the deployment's topics, and the YAML applied.
	yaml := string(Render(Topics("belvo")))
	classes := map[string]string{}
	for _, tp := range Topics("belvo") {
		classes[tp.Name] = tp.Class
	}
	for topic, class := range map[string]string{row.Topic("belvo"): ClassRecords, schemas.WebhookTopic("belvo", row.WebhookType): ClassWebhooks} {
		if classes[topic] != class {
			t.Errorf("topic %s: class %q, want %q", topic, classes[topic], class)
		}
		if !strings.Contains(yaml, "  topicName: "+topic+"\n") {
			t.Errorf("topics.yaml lacks %s", topic)
		}
	}

	// The emulator serves every row of the table, and only with a template.
	if _, err := emulator.New(emulator.Config{}, nil); err == nil || !strings.Contains(err.Error(), "template of "+row.Name) {
		t.Errorf("emulator with the row but no template: %v, want it refused for the missing template", err)
	}
	schemas.Resources, schemas.Catalogue = resources, catalogue
	if _, err := emulator.New(emulator.Config{}, nil); err != nil {
		t.Errorf("emulator without the row: %v", err)
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}
