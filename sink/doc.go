// Package sink loads the pipeline's topics into ClickHouse: the record
// topics of schemas.Tables() (one table each), every webhook topic into
// webhook_events and the institution-status topic into institution_status.
// The tables and views are internal/migrate's; the sink only inserts.
//
// One kafka-go consumer group reads every topic. Rows collect per table and
// are flushed together when one table reaches SINK_BATCH_ROWS, the pending
// messages SINK_BATCH_BYTES, or the first of them is SINK_FLUSH_INTERVAL
// old. A flush dead-letters, purges, inserts every table's batch as one
// Native block (columns named; over HTTP a block the sink keeps per table
// and encodes itself, see blockPoster, over the native protocol
// clickhouse-go's PrepareBatch/Append/Send), and only then commits the last
// offset read per partition.
//
// A flush runs beside the reading of the next batch, one flush at a time:
// the sink decodes while the engine inserts, rather than each waiting for
// the other. The next flush starts only after the previous one committed,
// so offsets are committed in read order; a partition whose loaded offset
// must be asked of ClickHouse waits for the flush in flight first, which may
// hold its earlier offsets. One statement reads the loaded offsets of every
// partition of the table's topics (at a session's first read, of every
// table's), and the answer serves each partition's first read this
// session: the engine runs statements one at a time.
//
// # Memory
//
// What the sink holds is bounded by its settings, whatever the lag: two
// batches (the one being flushed and the one being read), each at most
// SINK_BATCH_BYTES of messages (64 MiB) and SINK_BATCH_ROWS rows per table,
// each row an offset, its link id and unfit names sharing the message's
// bytes (the values of a row read into cells are made only if an insert
// needs them, see below); an insert block per table, a columnar copy of the
// largest batch it had (kept for the next over HTTP), and its encoding; and
// kafka-go's queue of at most
// 10,000 fetched messages (QueueCapacity), its partition readers blocked
// behind it, each reading its fetch response from the socket as messages
// are taken (a compressed record batch is decompressed whole). A burst only
// makes batches fill sooner.
//
// # Exactly-once effect, without state outside ClickHouse and Kafka
//
// Consumption is at-least-once: a crash after an insert and before its
// commit makes the next owner of the partition read the records again. Two
// mechanisms make that re-read harmless, each for a case the other misses:
//
//  1. Loaded offsets. Every row carries the topic, partition and offset it
//     was read from, and a topic feeds exactly one table. When the sink
//     starts reading a partition, or its offsets are not contiguous with
//     what it read before (a rebalance rewound it to the committed offset,
//     or another member moved it on), or kafka-go reports a rebalance, it
//     asks ClickHouse for max(offset) of that topic and partition in the
//     table and skips every record at or below it, once the flush in
//     flight is in if it holds that partition. (One statement answers for
//     all the table's partitions, at a session's start for every table's;
//     a partition's figure serves only its first read after that
//     statement, since the sink may insert it afterwards, and a rebalance
//     or a new session drops them all.) This
//     is exact, not probabilistic, because a batch is one insert block
//     (SINK_BATCH_ROWS is capped below max_insert_block_size, and the
//     tables have no PARTITION BY), which ClickHouse stores atomically:
//     after a crash the block is either wholly there, and its offsets are
//     skipped, or absent, and they are inserted. It needs neither FINAL nor
//     the batch being cut the same way again, which time-based flushing
//     cannot promise.
//  2. insert_deduplication_token. A retry of an insert whose first attempt
//     did land (the answer was lost in a timeout or a dropped connection)
//     sends the same rows with the same token: the table name and the
//     offset range of each partition in the block. The tables keep the
//     last schemas.DedupWindow tokens (non_replicated_ / replicated_
//     deduplication_window), and ClickHouse drops the repeated block.
//
// What neither covers: a member that lost its partitions in a rebalance but
// is still inserting (a zombie) while the new owner reads the loaded offset.
// Closing that needs fencing against the group generation, which ClickHouse
// cannot check; the window is one insert long. ReplacingMergeTree then
// still collapses the duplicate in FINAL and in merges, as it does for a
// record fetched twice (same id, a later version wins).
//
// # Deletions and link purges
//
// A record with deleted=true becomes a row with is_deleted=1 (records.Row);
// the replacing engine's FINAL then hides the record. A link_events record
// of a successful link_deleted (no error_code) purges the link: for every
// resource table the engine runs INSERT ... SELECT ... FROM t FINAL WHERE
// link_id = L, writing each current row back with is_deleted=1, typed values
// and raw cleared, and a higher version. Purges run after the link_events
// batch is inserted and are idempotent (a purged row is no longer current):
// a crash between the two re-reads the fact and runs the purge again.
// Records and facts travel on different topics, so a deleted link's records
// may be loaded after its purge; once a flush's batches are in, the sink
// looks up, in one statement, the purges recorded for the links of its
// resource batches and applies each again to the tables holding that link
// (on a ClickHouse cluster this needs the fact visible to the
// lookup: insert_quorum or select_sequential_consistency).
//
// # Failures
//
// A record that cannot be decoded (not Confluent Avro, unknown schema,
// unreadable bytes) or converted to a row goes unchanged to
// <prefix>.deadletter.sink with headers error, source_topic,
// source_partition and source_offset; the rest of its batch is loaded. An
// unavailable ClickHouse, registry or Kafka is retried with exponential
// backoff up to SINK_MAX_BACKOFF, holding the offsets (nothing is committed
// past an insert that did not happen) while /readyz answers 503. SIGTERM
// ends reading, flushes, commits and returns nil.
//
// A row ClickHouse refuses for its values (the client cannot encode it for
// its column, e.g. a decimal beyond Decimal128, or the server answers with
// an exception code about data: a violated constraint, a value out of
// range, a parse or conversion failure; see refusedCodes) cannot be taken
// by any retry. The batch is then bisected: halves are inserted in row
// order, each a contiguous run with its own token (so a crash and replay
// derive the same tokens), until each refused row stands alone; it goes to
// the dead-letter topic, with ClickHouse's reason in the error header,
// before any later row of the batch is inserted. Every offset at or below
// a partition's loaded offset is therefore in ClickHouse or dead-lettered,
// which keeps the loaded-offset skip exact. Errors without such a code (an
// unknown table or column, too many parts, timeouts, the network) are not
// the rows' fault and are retried as an outage.
//
// # Decoding
//
// The sink fetches each writer schema id once, through its one registry
// client, and both decoders use it (writerSchemas). Records of the resource
// tables (all but link_events, whose purges read the decoded record) are
// decoded by records.RowDecoder: a plan compiled once per writer schema id
// walks the Avro binary into the row's cells (chblock.Cell: each value by
// its type, nothing boxed), which go straight into the table's block. It
// makes exactly the row goavro and records.Row would, and leaves anything
// else to them (a writer schema it cannot decode exactly, malformed bytes,
// an empty id), so dead-letter reasons do not change. A row's values as Go
// values are made again from its message (makeRows, on the flush's
// goroutine) only where an insert cannot send that block: over the native
// protocol, a row its columns refused, rows dropped by a re-check, the
// sub-batches of a refused insert.
package sink
