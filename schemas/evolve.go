package schemas

import "strings"

// AddColumns returns the ALTER TABLE that gives an existing table of the
// resource, in database db, every column CreateTable would give a new one,
// each in its CreateTable place. A table created by an older release has no
// column for a field added since, and CREATE TABLE IF NOT EXISTS leaves it
// as it is; the sink names every column it inserts, so the columns must
// exist before it loads a record of the new schema. Every clause is IF NOT
// EXISTS: re-applied, the statement changes nothing. The sort key (id,
// link_id) is never added: a table without it was never ours.
func (r Resource) AddColumns(db, cluster string) string {
	var b strings.Builder
	b.WriteString("ALTER TABLE " + QuoteIdent(db) + "." + QuoteIdent(r.Name))
	if cluster != "" {
		b.WriteString(" ON CLUSTER " + quoteString(cluster))
	}
	cols := r.ClickHouseColumns()
	for i := 2; i < len(cols); i++ {
		c := cols[i]
		if i > 2 {
			b.WriteString(",")
		}
		b.WriteString("\n    ADD COLUMN IF NOT EXISTS " + QuoteIdent(c.Name) + " " + c.Type)
		if c.Default != "" {
			b.WriteString(" DEFAULT " + c.Default)
		}
		b.WriteString(" AFTER " + QuoteIdent(cols[i-1].Name))
	}
	return b.String()
}
