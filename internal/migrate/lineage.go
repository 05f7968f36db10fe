package migrate

import (
	"fmt"
	"strings"

	"github.com/finflow/belvo-pipeline/schemas"
)

// ErasuresTable is where `belvo-pipeline erase` records every erasure.
const ErasuresTable = "erasures"

// lineageColumns are the columns every record table carries about where a
// row came from, in the order the lineage view unions them.
var lineageColumns = []string{
	schemas.FieldID, schemas.FieldLinkID, schemas.ColumnIsDeleted, schemas.ColumnVersion,
	schemas.FieldWebhookID, schemas.FieldRequestID, schemas.FieldFetchedAt, schemas.ColumnLoadedAt,
	schemas.ColumnTopic, schemas.ColumnPartition, schemas.ColumnOffset,
}

// Lineage is migration 0008: the erasures table and the lineage view. The
// view unions every record table, so it is generated with them; the table
// sits in the same migration because the operator commands arrived
// together and each migration number is one file.
func Lineage(t Target) string {
	db := schemas.QuoteIdent(t.Database)
	cluster := onCluster(t.Cluster)
	var b strings.Builder
	b.WriteString("-- Generated from schemas.Tables() by internal/migrate; do not edit.\n")
	b.WriteString("-- Erasures done by `belvo-pipeline erase`, and the lineage of every row of every\n")
	b.WriteString("-- record table (docs/operations.md#lineage).\n\n")

	b.WriteString("-- One row per erasure, written when it starts and again, with completed_at\n")
	b.WriteString("-- and what it erased, when it is done (the later version wins).\n")
	b.WriteString("CREATE TABLE IF NOT EXISTS " + db + "." + schemas.QuoteIdent(ErasuresTable) + cluster + "\n(\n")
	b.WriteString("    `erasure_id` String,\n")
	b.WriteString("    `link_id` String,\n")
	b.WriteString("    `reason` String,\n")
	b.WriteString("    `requested_at` DateTime64(6, 'UTC'),\n")
	b.WriteString("    `completed_at` Nullable(DateTime64(6, 'UTC')),\n")
	b.WriteString("    `tables` Array(LowCardinality(String)),\n")
	b.WriteString("    `rows_erased` UInt64,\n")
	b.WriteString("    `version` UInt64\n")
	b.WriteString(")\nENGINE = " + replacing(t.Cluster, "`version`") + "\nORDER BY (`link_id`, `erasure_id`)\n" + dedupWindow(t.Cluster) + ";\n\n")

	b.WriteString("-- Every physical row (each fetch of a record, deletions included) with what\n")
	b.WriteString("-- caused it: the webhook event, its origin (webhook, backfill or sweep) and\n")
	b.WriteString("-- first receipt, the Belvo request it answered (requests fact), when it was\n")
	b.WriteString("-- fetched and loaded, and where it was read in Kafka. Filter by table, id or\n")
	b.WriteString("-- link_id; add is_deleted = 0 and the highest version for the current row.\n")
	b.WriteString("CREATE OR REPLACE VIEW " + db + ".`lineage`" + cluster + " AS\nSELECT\n")
	b.WriteString("    r.`table` AS `table`,\n")
	for _, c := range lineageColumns[:4] {
		b.WriteString("    r." + schemas.QuoteIdent(c) + " AS " + schemas.QuoteIdent(c) + ",\n")
	}
	b.WriteString("    r.`webhook_id` AS `webhook_id`,\n")
	b.WriteString("    w.`first_origin` AS `origin`,\n")
	b.WriteString("    w.`first_type` AS `webhook_type`,\n")
	b.WriteString("    w.`first_code` AS `webhook_code`,\n")
	b.WriteString("    w.`first_received_at` AS `received_at`,\n")
	b.WriteString("    r.`request_id` AS `belvo_request_id`,\n")
	b.WriteString("    q.`kind` AS `request_kind`,\n")
	b.WriteString("    q.`resource` AS `request_resource`,\n")
	b.WriteString("    q.`date_from` AS `request_date_from`,\n")
	b.WriteString("    q.`date_to` AS `request_date_to`,\n")
	b.WriteString("    q.`sent_at` AS `request_sent_at`,\n")
	for i, c := range lineageColumns[6:] {
		sep := ",\n"
		if i == len(lineageColumns[6:])-1 {
			sep = "\n"
		}
		b.WriteString("    r." + schemas.QuoteIdent(c) + " AS " + schemas.QuoteIdent(c) + sep)
	}
	b.WriteString("FROM\n(\n")
	quoted := make([]string, len(lineageColumns))
	for i, c := range lineageColumns {
		quoted[i] = schemas.QuoteIdent(c)
	}
	cols := strings.Join(quoted, ", ")
	for i, r := range schemas.Tables() {
		if i > 0 {
			b.WriteString("    UNION ALL\n")
		}
		fmt.Fprintf(&b, "    SELECT '%s' AS `table`, %s FROM %s.%s\n", r.Name, cols, db, schemas.QuoteIdent(r.Name))
	}
	b.WriteString(") AS r\n")
	// Belvo re-sends an event under the same webhook_id: its first receipt
	// stands for all, as in webhook_events itself. The aliases differ from
	// the columns: an alias named like a column would stand for it inside
	// the other aggregates (ILLEGAL_AGGREGATION).
	b.WriteString("LEFT JOIN\n(\n    SELECT `webhook_id`, argMin(`origin`, `received_at`) AS `first_origin`, argMin(`webhook_type`, `received_at`) AS `first_type`,\n")
	b.WriteString("        argMin(`webhook_code`, `received_at`) AS `first_code`, min(`received_at`) AS `first_received_at`\n")
	b.WriteString("    FROM " + db + ".`webhook_events`\n    GROUP BY `webhook_id`\n) AS w ON r.`webhook_id` = w.`webhook_id`\n")
	b.WriteString("LEFT JOIN\n(\n    SELECT `belvo_request_id`, `kind`, `resource`, `date_from`, `date_to`, `sent_at`\n")
	b.WriteString("    FROM " + db + ".`requests` FINAL\n) AS q ON r.`request_id` = q.`belvo_request_id`\n")
	// Without it a row no webhook or request explains would show empty
	// strings and 1970 instead of NULL.
	b.WriteString("SETTINGS join_use_nulls = 1;\n")
	return b.String()
}
