package sink

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/internal/records"
)

type topicPartition struct {
	topic     string
	partition int
}

// offsetRange is the first and last offset of a partition in one batch.
type offsetRange struct{ first, last int64 }

// tableBatch is one table's rows of a flush, with where each came from.
type tableBatch struct {
	// rows are the rows' values; nil for a row not made yet (see
	// rowInfo.dec), which only an insert without block needs.
	rows   [][]any
	info   []rowInfo
	from   []topicPartition // source partition of rows[i]
	msgs   []kafka.Message  // source record of rows[i], dead-lettered if ClickHouse refuses the row
	purges []purge
	// block holds rows, appended as they were read (blockPoster), so a
	// flush only encodes and sends it; nil when the rows must be appended
	// at insert: no poster, a row its columns refused, rows dropped.
	block *chblock.Block
	// noBlock: block was given up for this batch (see block).
	noBlock bool
}

// rowInfo is what a flush needs of a row besides its values.
type rowInfo struct {
	offset int64
	link   string   // "" for a table without link_id
	unfit  []string // columns whose value did not fit, nil when none
	// dec is the decoder that makes the row from its message when it is
	// needed (makeRows), nil once it is made. A row read into cells goes
	// straight into the block: most are never made.
	dec *records.RowDecoder
}

// infoOf is the rowInfo of a row made already.
func infoOf(t *table, row []any) rowInfo {
	in := rowInfo{offset: row[t.offsetCol].(int64)}
	if t.linkCol >= 0 {
		in.link, _ = row[t.linkCol].(string)
	}
	if t.unfitCol >= 0 {
		if names, _ := row[t.unfitCol].([]string); len(names) > 0 {
			in.unfit = names
		}
	}
	return in
}

// cellsInfo is the rowInfo of a row read into cells by dec.
func cellsInfo(t *table, cells []chblock.Cell, dec *records.RowDecoder, offset int64) rowInfo {
	in := rowInfo{offset: offset, dec: dec}
	if t.linkCol >= 0 {
		in.link = cells[t.linkCol].Str
	}
	if t.unfitCol >= 0 && len(cells[t.unfitCol].Strs) > 0 {
		in.unfit = cells[t.unfitCol].Strs
	}
	return in
}

// appendBlock appends a row, given as values or as cells, to b's block,
// taking one from blocks for the batch's first row. A row the columns
// refuse gives the block up: the insert appends the rows again and finds
// the refused one by its index.
func (b *tableBatch) appendBlock(blocks *blockPoster, t *table, row []any, cells []chblock.Cell) {
	if blocks == nil || b.noBlock {
		return
	}
	if b.block == nil {
		if b.block = blocks.get(t); b.block == nil {
			b.noBlock = true
			return
		}
	}
	var err error
	if row != nil {
		err = b.block.Append(row...)
	} else {
		err = b.block.AppendCells(cells)
	}
	if err != nil {
		b.dropBlock()
	}
}

// makeRows makes the rows not made yet from their messages: an insert
// without the block built as they were read needs their values. The
// decoders are safe for concurrent use, so the flush's goroutine makes
// them while consume reads on.
func (b *tableBatch) makeRows() error {
	var (
		slab   []any
		header sr.ConfluentHeader
	)
	for i, row := range b.rows {
		in := &b.info[i]
		if row != nil || in.dec == nil {
			continue
		}
		w := in.dec.Width()
		if len(slab) < w {
			slab = make([]any, w*min(len(b.rows)-i, slabRows))
		}
		m := b.msgs[i]
		_, body, err := header.DecodeID(m.Value)
		if err == nil {
			row, _ = in.dec.RowIn(slab[:w:w], body, records.Position{Topic: m.Topic, Partition: int32(m.Partition), Offset: m.Offset})
		}
		if row == nil {
			// It was read into cells by the same decoder: never expected.
			return fmt.Errorf("record %s/%d@%d decoded once, not again", m.Topic, m.Partition, m.Offset)
		}
		slab = slab[w:]
		b.rows[i], in.dec = row, nil
	}
	return nil
}

// slabRows is how many rows makeRows carves from one allocation.
const slabRows = 1024

// dropBlock gives b's block up (rows dropped or refused): it may hold rows
// b no longer has. It is left to the collector, not returned to the pool.
func (b *tableBatch) dropBlock() {
	b.block, b.noBlock = nil, true
}

// slice is rows [lo, hi) as a batch of their own: the unit ClickHouse is
// asked to take when it refused a larger one. Purges stay with the whole.
func (b *tableBatch) slice(lo, hi int) *tableBatch {
	sub := &tableBatch{rows: b.rows[lo:hi], info: b.info[lo:hi], from: b.from[lo:hi]}
	if lo == 0 && hi == len(b.rows) {
		sub.block = b.block
	}
	if len(b.msgs) == len(b.rows) {
		sub.msgs = b.msgs[lo:hi]
	}
	return sub
}

// purge is a successful link_deleted fact: every current row of the link,
// in every resource table, becomes a deletion.
type purge struct {
	linkID    string
	webhookID *string
	requestID *string
	fetchedAt time.Time
	topic     string
	partition int32
	offset    int64
}

// purgePosition is where a purge's link_deleted fact was read: it names
// the purge.
type purgePosition struct {
	link      string
	topic     string
	partition int32
	offset    int64
}

func (p purge) position() purgePosition {
	return purgePosition{p.linkID, p.topic, p.partition, p.offset}
}

// deadLetter is a record the sink cannot load, and why.
type deadLetter struct {
	msg    kafka.Message
	table  string
	reason error
}

// pending is everything read since the last commit.
type pending struct {
	batches map[*table]*tableBatch
	dead    []deadLetter
	commit  map[topicPartition]kafka.Message // last message read per partition
	rows    int
	bytes   int
	since   time.Time // when the first message was read
	// recheck: the group rebalanced before this batch was flushed, so
	// what ClickHouse holds of its partitions is read again first.
	recheck bool
}

func newPending() *pending {
	return &pending{batches: map[*table]*tableBatch{}, commit: map[topicPartition]kafka.Message{}}
}

func (p *pending) empty() bool { return len(p.commit) == 0 }

func (p *pending) read(m kafka.Message) {
	if p.empty() {
		p.since = time.Now()
	}
	p.commit[topicPartition{m.Topic, m.Partition}] = m
	p.bytes += len(m.Key) + len(m.Value)
}

func (p *pending) batch(t *table) *tableBatch {
	b := p.batches[t]
	if b == nil {
		// Sized as the table's last batch: under load a batch fills to
		// SINK_BATCH_ROWS, and growing three slices row by row to get there
		// copied each of them a dozen times.
		n := t.lastRows
		b = &tableBatch{rows: make([][]any, 0, n), info: make([]rowInfo, 0, n), from: make([]topicPartition, 0, n), msgs: make([]kafka.Message, 0, n)}
		p.batches[t] = b
	}
	return b
}

// sized remembers each table's batch size in p for its next batch. Only
// the goroutine that reads (consume) calls it and batch.
func (p *pending) sized() {
	for t, b := range p.batches {
		t.lastRows = len(b.rows)
	}
}

// dropLoaded removes the rows of tp at or below hwm: they are in ClickHouse
// already. It returns how many were removed.
func (b *tableBatch) dropLoaded(tp topicPartition, hwm int64) int {
	kept := 0
	for i, row := range b.rows {
		if b.from[i] == tp && b.info[i].offset <= hwm {
			continue
		}
		b.rows[kept], b.info[kept], b.from[kept] = row, b.info[i], b.from[i]
		if len(b.msgs) > i {
			b.msgs[kept] = b.msgs[i]
		}
		kept++
	}
	removed := len(b.rows) - kept
	if removed > 0 {
		b.dropBlock()
	}
	b.rows, b.info, b.from = b.rows[:kept], b.info[:kept], b.from[:kept]
	if len(b.msgs) > kept {
		b.msgs = b.msgs[:kept]
	}
	// Purges stay: their fact may be loaded while the purge itself was cut
	// short by a crash, and running one again is harmless.
	return removed
}

// token is the insert_deduplication_token of the batch: the table and the
// offset range of each source partition it holds. A batch sent again with
// the same rows (a retry after a timeout whose insert did land) carries the
// same token, and ClickHouse drops the second block.
func (b *tableBatch) token(t *table) string {
	ranges := map[topicPartition]offsetRange{}
	// A partition's rows come in runs (a fetch at a time): the map is
	// touched once per run, not once per row.
	var (
		run    topicPartition
		r      offsetRange
		inRun  bool
		settle = func() {
			if old, ok := ranges[run]; ok {
				r.first, r.last = min(r.first, old.first), max(r.last, old.last)
			}
			ranges[run] = r
		}
	)
	for i := range b.info {
		off := b.info[i].offset
		if !inRun || b.from[i] != run {
			if inRun {
				settle()
			}
			run, r, inRun = b.from[i], offsetRange{off, off}, true
		}
		r.first, r.last = min(r.first, off), max(r.last, off)
	}
	if inRun {
		settle()
	}
	parts := make([]string, 0, len(ranges))
	for tp, r := range ranges {
		parts = append(parts, fmt.Sprintf("%s/%d/%d-%d", tp.topic, tp.partition, r.first, r.last))
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(t.name + "|" + strings.Join(parts, "|")))
	return "belvo-sink-" + hex.EncodeToString(sum[:16])
}
