package sink

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/schemas"
)

// insert sends one table's batch as one block with its dedup token.
func (s *Sink) insert(ctx context.Context, t *table, b *tableBatch) error {
	settings := map[string]string{
		"insert_deduplication_token": b.token(t),
		// A deduplicated block must still count as the batch's insert:
		// the engine answers success either way.
		"insert_deduplicate": "1",
	}
	// A block is only ever built with a poster (appendBlock).
	if block := b.block; block != nil && block.Rows() == len(b.rows) {
		return s.post(ctx, t, b, block, settings)
	}
	if err := b.makeRows(); err != nil {
		return err
	}
	if s.blocks != nil {
		if block := s.blocks.get(t); block != nil {
			defer s.blocks.put(t, block)
			if err := appendRows(t, b.rows, block.Append); err != nil {
				return err
			}
			return s.post(ctx, t, b, block, settings)
		}
	}
	chSettings := clickhouse.Settings{}
	for k, v := range settings {
		chSettings[k] = v
	}
	opts := []clickhouse.QueryOption{clickhouse.WithSettings(chSettings)}
	if t.types != nil {
		opts = append(opts, clickhouse.WithColumnNamesAndTypes(t.types))
	}
	ctx = clickhouse.Context(ctx, opts...)
	batch, err := s.ch.PrepareBatch(ctx, t.insert)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", t.name, err)
	}
	defer batch.Close()
	if err := appendRows(t, b.rows, batch.Append); err != nil {
		return err
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", len(b.rows), t.name, err)
	}
	s.countUnfit(t, b)
	return nil
}

func (s *Sink) post(ctx context.Context, t *table, b *tableBatch, block *chblock.Block, settings map[string]string) error {
	if err := s.blocks.post(ctx, t, block, settings); err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", len(b.rows), t.name, err)
	}
	s.countUnfit(t, b)
	return nil
}

// appendRows appends rows to a block (clickhouse-go's batch or ours).
func appendRows(t *table, rows [][]any, add func(...any) error) error {
	for i, row := range rows {
		if err := add(row...); err != nil {
			err = fmt.Errorf("append row %d to %s: %w", i, t.name, err)
			var conv *column.ColumnConverterError
			if errors.As(err, &conv) {
				// A Go type the column does not take is the sink's bug, not
				// the record's: every row of that shape would be
				// dead-lettered. Held and retried, it shows as not ready.
				return err
			}
			// The client checks each value against its column (a decimal
			// beyond Decimal128): a refusal of this row, known without
			// asking the server.
			return &refused{row: i, err: err}
		}
	}
	return nil
}

// countUnfit counts, by table and field, the values loaded null because
// their column could not hold them (the exact value is in raw).
func (s *Sink) countUnfit(t *table, b *tableBatch) {
	for i := range b.info {
		for _, f := range b.info[i].unfit {
			s.metrics.unfit.WithLabelValues(t.name, f).Inc()
		}
	}
}

// loadedOffsets reads, in one statement, the highest offset t holds of
// each partition of topics; a partition absent from the answer holds none
// (-1). One query per table instead of one per partition: the engine runs
// statements one at a time, so a session's first webhooks otherwise waited
// for hundreds of round trips.
func (s *Sink) loadedOffsets(ctx context.Context, t *table, topics []string) (map[topicPartition]int64, error) {
	all, err := s.loadedOffsetsOf(ctx, map[*table][]string{t: topics})
	return all[t], err
}

// loadedOffsetsOf is loadedOffsets of several tables in one statement (a
// UNION ALL): at a session's start every table's first read needs its
// figures, and one round trip per table was a few hundred milliseconds
// before the first flush.
func (s *Sink) loadedOffsetsOf(ctx context.Context, topics map[*table][]string) (map[*table]map[topicPartition]int64, error) {
	var (
		parts  []string
		args   []any
		byName = map[string]*table{}
		out    = map[*table]map[topicPartition]int64{}
	)
	for t, ts := range topics {
		out[t] = map[topicPartition]int64{}
		if len(ts) == 0 {
			continue
		}
		byName[t.name] = t
		parts = append(parts, "SELECT toString(?), `topic`, `partition`, max(`offset`) FROM "+
			schemas.QuoteIdent(s.cfg.database)+"."+schemas.QuoteIdent(t.name)+" WHERE `topic` IN (?) GROUP BY `topic`, `partition`")
		args = append(args, t.name, ts)
	}
	if len(parts) == 0 {
		return out, nil
	}
	rows, err := s.ch.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("read loaded offsets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, topic string
			part        int32
			off         int64
		)
		if err := rows.Scan(&name, &topic, &part, &off); err != nil {
			return nil, fmt.Errorf("read loaded offsets: %w", err)
		}
		if t := byName[name]; t != nil {
			out[t][topicPartition{topic, int(part)}] = off
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read loaded offsets: %w", err)
	}
	return out, nil
}

// loadedSnapshot is one loadedOffsets answer, each partition's figure
// handed out once: after its first use the sink may insert that partition
// itself, so a later need (an offset jump) asks ClickHouse again.
type loadedSnapshot struct {
	hwm  map[topicPartition]int64
	used map[topicPartition]bool
}

// take returns tp's loaded offset if the snapshot still vouches for it.
func (l *loadedSnapshot) take(tp topicPartition) (int64, bool) {
	if l == nil || l.used[tp] {
		return 0, false
	}
	l.used[tp] = true
	if hwm, ok := l.hwm[tp]; ok {
		return hwm, true
	}
	return -1, true
}

// loadedOffset is the highest offset of tp that t holds, -1 when none: the
// records up to it were inserted by an earlier run (or another member of the
// group) whose offset commit did not happen. It reads every partition of
// t's topics at once and keeps the answer for the partitions not yet read;
// at t's first need in a session, the same statement reads every table
// not read yet.
func (s *Sink) loadedOffset(ctx context.Context, t *table, tp topicPartition) (int64, error) {
	if hwm, ok := s.snapshots[t].take(tp); ok {
		return hwm, nil
	}
	// t's topics, tp's first; at t's first need, those of every table not
	// read yet too (a table with no topic yet gets no snapshot).
	first := s.snapshots[t] == nil
	want := map[*table][]string{t: {tp.topic}}
	for _, topic := range *s.topics.Load() {
		o := s.byTopic[topic]
		if o != nil && topic != tp.topic && (o == t || first && s.snapshots[o] == nil) {
			want[o] = append(want[o], topic)
		}
	}
	hwms, err := s.loadedOffsetsOf(ctx, want)
	if err != nil {
		return 0, err
	}
	// A partition read before may have rows in a batch not yet flushed,
	// or in the flush the query may have run beside, which this answer
	// does not count: it vouches only for the others. (seen outlives
	// snapshots across a group session; both are cleared on a rebalance,
	// which leaves the partitions of a flush in flight out of seen.)
	used := make(map[topicPartition]bool, len(s.seen))
	for read := range s.seen {
		used[read] = true
	}
	for read := range s.flushes.inFlight() {
		used[read] = true
	}
	delete(used, tp)
	for o, hwm := range hwms {
		s.snapshots[o] = &loadedSnapshot{hwm: hwm, used: maps.Clone(used)}
	}
	off, ok := s.snapshots[t].take(tp)
	if !ok {
		// Guessing would skip records as loaded, or load them twice.
		return 0, fmt.Errorf("read loaded offsets: no answer for %s", t.name)
	}
	return off, nil
}

// purgeLink turns every current row of the link, in every resource table,
// into a deletion row: the engine selects the rows (FINAL: latest version,
// deleted ones already gone) and inserts them back with is_deleted = 1,
// typed values and raw cleared, and a version above the row's own.
//
// Running it again finds nothing current and inserts nothing, so a purge
// can be repeated at will: after a crash, after a rebalance, and for
// records of a purged link that arrive after its purge (repurge).
func (s *Sink) purgeLink(ctx context.Context, p purge, resources []schemas.Resource) error {
	db := schemas.QuoteIdent(s.cfg.database)
	for _, r := range resources {
		cols := r.InsertColumns()
		names := make([]string, len(cols))
		exprs := make([]string, len(cols))
		var args []any
		for i, c := range cols {
			names[i] = schemas.QuoteIdent(c.Name)
			switch c.Name {
			case schemas.FieldID, schemas.FieldLinkID:
				exprs[i] = names[i]
			case schemas.FieldRaw:
				exprs[i] = "''"
			case schemas.FieldWebhookID:
				exprs[i] = "?"
				args = append(args, p.webhookID)
			case schemas.FieldRequestID:
				exprs[i] = "?"
				args = append(args, p.requestID)
			case schemas.FieldFetchedAt:
				exprs[i] = fmt.Sprintf("fromUnixTimestamp64Micro(toInt64(%d), 'UTC')", p.fetchedAt.UnixMicro())
			case schemas.ColumnTopic:
				exprs[i] = "?"
				args = append(args, p.topic)
			case schemas.ColumnPartition:
				exprs[i] = fmt.Sprintf("toInt32(%d)", p.partition)
			case schemas.ColumnOffset:
				exprs[i] = fmt.Sprintf("toInt64(%d)", p.offset)
			case schemas.ColumnVersion:
				exprs[i] = fmt.Sprintf("greatest(`version` + 1, toUInt64(%d))", p.fetchedAt.UnixMicro())
			case schemas.ColumnIsDeleted:
				exprs[i] = "toUInt8(1)"
			case schemas.FieldUnfit:
				exprs[i] = "[]" // a deletion has no values
			default:
				// The empty value of the column's type: NULL for the typed
				// fields (all Nullable), [] for an array such as unfit_fields.
				exprs[i] = "defaultValueOfTypeName(?)"
				args = append(args, c.Type)
			}
		}
		table := db + "." + schemas.QuoteIdent(r.Name)
		q := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT " + strings.Join(exprs, ", ") +
			" FROM " + table + " FINAL WHERE `link_id` = ?"
		args = append(args, p.linkID)
		if err := s.ch.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("purge link %s from %s: %w", p.linkID, r.Name, err)
		}
	}
	return nil
}

// purgeOf returns the purge a link_events record asks for, if any: a
// link_deleted event without error_code is a successful deletion
// (webhooks.md); with one, deletion failed and nothing is deleted.
func purgeOf(native map[string]any, topic string, partition int32, offset int64) (purge, bool) {
	var f fields
	code := f.opt(native, "webhook_code")
	errCode := f.opt(native, "error_code")
	link, _ := native[schemas.FieldLinkID].(string)
	fetched, ok := native[schemas.FieldFetchedAt].(time.Time)
	if f.err != nil || !ok || link == "" || code == nil || *code != "link_deleted" || errCode != nil {
		return purge{}, false
	}
	return purge{
		linkID:    link,
		webhookID: f.opt(native, schemas.FieldWebhookID),
		requestID: f.opt(native, schemas.FieldRequestID),
		fetchedAt: fetched,
		topic:     topic, partition: partition, offset: offset,
	}, true
}

// repurge applies the purges already recorded in link_events to the rows
// of p's resource batches just loaded. Records and link facts travel on
// different topics, so a link's records can be loaded after its purge ran;
// nothing comes after a link's deletion at Belvo, so such rows are deleted
// too. The purges of p's own facts (ran) already covered every table after
// its rows were in, and are not run again.
//
// Why it cannot miss one: a purge's fact is inserted before the purge
// runs, and this query runs after p's batches were inserted. Either it sees
// the fact, or the fact (and so the purge's SELECT) came after the rows
// were visible.
func (s *Sink) repurge(ctx context.Context, p *pending, ran map[purgePosition]bool) error {
	links := map[*table]map[string]bool{}
	var ids []string
	seen := map[string]bool{}
	for _, t := range s.order {
		b := p.batches[t]
		if t.resource == nil || b == nil || len(b.rows) == 0 {
			continue
		}
		for i := range b.info {
			link := b.info[i].link
			if link == "" {
				continue
			}
			if links[t] == nil {
				links[t] = map[string]bool{}
			}
			links[t][link] = true
			if !seen[link] {
				seen[link] = true
				ids = append(ids, link)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	q := "SELECT `link_id`, `webhook_id`, `request_id`, `fetched_at`, `topic`, `partition`, `offset` FROM " +
		schemas.QuoteIdent(s.cfg.database) + "." + schemas.QuoteIdent(linkEventsTable) +
		" FINAL WHERE `webhook_code` = 'link_deleted' AND `error_code` IS NULL AND `is_deleted` = 0 AND `link_id` IN (?)"
	rows, err := s.ch.Query(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("look up purged links: %w", err)
	}
	var purges []purge
	for rows.Next() {
		var pu purge
		if err := rows.Scan(&pu.linkID, &pu.webhookID, &pu.requestID, &pu.fetchedAt, &pu.topic, &pu.partition, &pu.offset); err != nil {
			rows.Close()
			return fmt.Errorf("look up purged links: %w", err)
		}
		purges = append(purges, pu)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up purged links: %w", err)
	}
	for _, pu := range purges {
		if ran[pu.position()] {
			continue
		}
		for _, t := range s.order {
			if !links[t][pu.linkID] {
				continue
			}
			if err := s.purgeLink(ctx, pu, []schemas.Resource{*t.resource}); err != nil {
				return err
			}
			s.metrics.latePurges.Inc()
		}
	}
	return nil
}
