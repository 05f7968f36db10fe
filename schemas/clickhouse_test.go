package schemas

import (
	"strings"
	"testing"
)

// The table carries the Avro record field for field (deleted becomes
// is_deleted) in the same order, so the sink can fill a row by walking the
// schema; this pins that no generator change lets the two drift.
func TestColumnsMatchAvro(t *testing.T) {
	for _, r := range Resources {
		cols := r.ClickHouseColumns()
		var names []string
		for _, c := range cols {
			names = append(names, c.Name)
		}
		want := []string{FieldID, FieldLinkID}
		for _, f := range r.Fields {
			want = append(want, f.Name)
		}
		want = append(want, FieldRaw, FieldWebhookID, FieldRequestID, FieldFetchedAt, FieldUnfit,
			ColumnLoadedAt, ColumnTopic, ColumnPartition, ColumnOffset, ColumnVersion, ColumnIsDeleted)
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("%s: columns %v, want %v", r.Name, names, want)
		}
		for i, f := range r.Fields {
			if cols[2+i].Type != f.Kind.ClickHouseType() {
				t.Errorf("%s.%s: type %s", r.Name, f.Name, cols[2+i].Type)
			}
		}
		ins := r.InsertColumns()
		if len(ins) != len(cols)-1 {
			t.Errorf("%s: %d insert columns of %d", r.Name, len(ins), len(cols))
		}
		for _, c := range ins {
			if c.Name == ColumnLoadedAt {
				t.Errorf("%s: loaded_at is filled by the server, not inserted", r.Name)
			}
		}
	}
}

func TestClickHouseTypes(t *testing.T) {
	want := map[Kind]string{
		String:    "Nullable(String)",
		Enum:      "LowCardinality(Nullable(String))",
		Int:       "Nullable(Int64)",
		Float:     "Nullable(Float64)",
		Bool:      "Nullable(Bool)",
		Decimal:   "Nullable(Decimal(38, 10))",
		Date:      "Nullable(Date32)",
		Timestamp: "Nullable(DateTime64(6, 'UTC'))",
	}
	for k, w := range want {
		if got := k.ClickHouseType(); got != w {
			t.Errorf("%s: %s, want %s", k, got, w)
		}
	}
}

func TestCreateTable(t *testing.T) {
	r, _ := ResourceByName("transactions")
	local := r.CreateTable("")
	for _, s := range []string{
		"CREATE TABLE IF NOT EXISTS `belvo`.`transactions`\n(",
		"`amount` Nullable(Decimal(38, 10)),",
		"`loaded_at` DateTime64(6, 'UTC') DEFAULT now64(6),",
		"ENGINE = ReplacingMergeTree(`version`, `is_deleted`)",
		"ORDER BY (`link_id`, `id`)",
		"SETTINGS non_replicated_deduplication_window = 1000",
	} {
		if !strings.Contains(local, s) {
			t.Errorf("local DDL lacks %q:\n%s", s, local)
		}
	}
	if strings.Contains(local, "ON CLUSTER") || strings.Contains(local, "Replicated") || strings.Contains(local, "PARTITION BY") {
		t.Errorf("local DDL:\n%s", local)
	}
	cluster := r.CreateTable("prod'eu")
	for _, s := range []string{
		"`belvo`.`transactions` ON CLUSTER 'prod\\'eu'\n",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', `version`, `is_deleted`)",
		"SETTINGS replicated_deduplication_window = 1000",
	} {
		if !strings.Contains(cluster, s) {
			t.Errorf("cluster DDL lacks %q:\n%s", s, cluster)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"offset": "`offset`", "a`b": "`a\\`b`", `a\b`: "`a\\\\b`"} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}
