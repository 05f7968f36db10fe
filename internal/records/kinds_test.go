package records

import (
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Every Kind schemas knows has a full row here, and no row is for a kind
// schemas does not know: the two halves of a Kind's row cannot drift.
func TestEveryKindHasOneCodecRow(t *testing.T) {
	if len(kinds) != len(schemas.Kinds()) {
		t.Fatalf("%d codec rows for %d kinds", len(kinds), len(schemas.Kinds()))
	}
	for _, k := range schemas.Kinds() {
		row := kinds[k]
		if row.read == nil || row.fromGo == nil || row.encode == nil || row.native == nil || row.column == nil {
			t.Errorf("kind %s: incomplete codec row", k)
		}
		if typ := k.Type(); typ.Name == "unknown" || typ.Avro == nil || typ.AvroBranch == "" || typ.ClickHouse == "" {
			t.Errorf("kind %d: incomplete type row %+v", k, typ)
		}
	}
}
