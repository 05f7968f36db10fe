package fetcher

import (
	"encoding/json"
	"slices"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/schemas"
)

// ownRange narrows q by the created_at__range member of data ("from,to")
// for a backfill event (belvo-pipeline backfill --since/--until) of a
// resource that takes the filter. Belvo never sends that member, and a
// webhook's data must not steer a fetch past the catalogue; sweep events
// are planned apart (planSweep).
func ownRange(ev Event, res schemas.Resource, data map[string]json.RawMessage, q *belvo.Query) error {
	if ev.Origin != schemas.OriginBackfill || !slices.Contains(res.Filters, schemas.FilterCreatedAtRange) {
		return nil
	}
	v, ok, err := scalarMember(data, schemas.FilterCreatedAtRange)
	if err != nil || !ok {
		return err
	}
	return q.SetFilter(schemas.FilterCreatedAtRange, v)
}
