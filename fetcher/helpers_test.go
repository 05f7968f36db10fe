package fetcher

import (
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

func recordsConverter(res schemas.Resource) (*records.Converter, error) { return records.New(res) }

func testLineage() records.Lineage {
	return records.Lineage{LinkID: "L", FetchedAt: testNow()}
}
