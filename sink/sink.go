package sink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/admin"
	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// DeadLetterTopic returns the topic of records the sink cannot load.
func DeadLetterTopic(prefix string) string { return prefix + ".deadletter.sink" }

// Dead-letter headers: why, and where the record was read.
const (
	HeaderError     = "error"
	HeaderTopic     = "source_topic"
	HeaderPartition = "source_partition"
	HeaderOffset    = "source_offset"
)

// Sink loads the pipeline's topics into ClickHouse.
type Sink struct {
	cfg      Config
	log      *slog.Logger
	ch       clickhouse.Conn
	blocks   *blockPoster   // inserts over HTTP; nil: clickhouse-go's batches
	writers  *writerSchemas // the one registry client's schemas, for both decoders
	cluster  *broker.Cluster
	producer *broker.Producer
	admin    *admin.Server
	metrics  *metrics

	byTopic map[string]*table
	order   []*table
	topics  atomic.Pointer[[]string] // of the current group session
	events  *table                   // webhook_events, for webhook topics of new types

	// loaded caches, per partition, the highest offset ClickHouse holds;
	// seen is the last offset read. See doc.go for when they are dropped.
	loaded map[topicPartition]int64
	seen   map[topicPartition]int64
	// snapshots hold, per table, the loaded offsets of the partitions not
	// yet read this session (loadedOffset); dropped with loaded.
	snapshots map[*table]*loadedSnapshot
	// firstJoin: the reader's first Stats still counts the join that
	// began its first generation, which came before anything was read.
	firstJoin bool

	stalled atomic.Pointer[string] // why the sink is retrying, nil when healthy
	started atomic.Bool

	watchdog *broker.Watchdog
	readErrs *broker.ReadErrors
	rejoin   atomic.Pointer[func()] // ends the current group session to recreate its reader
	flushes  *flusher               // of the running consume, nil outside it
	cells    []chblock.Cell         // consume's: the row being read

	// afterInsert, when set by a test, runs after a flush's inserts and
	// before its offset commit; an error ends Run there, as a crash would.
	afterInsert func() error
}

// New validates cfg, binds the admin listener and prepares the clients;
// nothing is dialled until Run.
func New(cfg Config, log *slog.Logger, reg *prometheus.Registry) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ch, err := clickhouse.Open(cfg.chOpts)
	if err != nil {
		return nil, fmt.Errorf("open CLICKHOUSE_DSN: %w", err)
	}
	rc, err := cfg.RegistryClient()
	if err != nil {
		ch.Close()
		return nil, err
	}
	writers, err := newWriterSchemas(rc)
	if err != nil {
		ch.Close()
		return nil, err
	}
	byTopic, order, err := routes(cfg.database, cfg.TopicPrefix)
	if err != nil {
		ch.Close()
		return nil, err
	}
	s := &Sink{
		cfg: cfg, log: log, ch: ch, blocks: newBlockPoster(cfg.chOpts), writers: writers, metrics: newMetrics(reg),
		byTopic: byTopic, order: order,
		loaded: map[topicPartition]int64{}, seen: map[topicPartition]int64{},
		snapshots: map[*table]*loadedSnapshot{},
	}
	s.events = byTopic[schemas.WebhookTopic(cfg.TopicPrefix, schemas.Catalogue[0].Type)]
	base := make([]string, 0, len(byTopic))
	for t := range byTopic {
		base = append(base, t)
	}
	slices.Sort(base)
	s.topics.Store(&base)
	s.cluster = broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Brokers, Partitions: cfg.Partitions, ReplicationFactor: cfg.Replication,
		ClientID: "belvo-sink", Security: cfg.Kafka})
	s.cluster.Client = adminClient(s.cluster, append([]string{DeadLetterTopic(cfg.TopicPrefix)}, base...))
	lag := broker.NewLagCollector(s.cluster, cfg.Group, func() []string { return *s.topics.Load() }, log)
	s.watchdog = broker.NewWatchdog(broker.WatchdogConfig{Group: cfg.Group, Bound: cfg.StallTimeout, Lag: broker.TotalLag(lag), Log: log})
	s.readErrs = &broker.ReadErrors{Log: log, Group: cfg.Group, Count: s.metrics.readErrors.Inc}
	reg.MustRegister(lag, s.watchdog)
	s.producer = broker.NewProducer(s.cluster, broker.ProducerConfig{})
	if s.admin, err = admin.New(cfg.AdminAddr, reg, s.ready, log); err != nil {
		ch.Close()
		return nil, err
	}
	return s, nil
}

// adminClient is the Kafka client for topic creation and the dead-letter
// producer. Its transport refreshes the metadata of topics only: kafka-go
// otherwise asks for every topic of the cluster, and when that answer takes
// longer than the refresh interval (a broker with tens of thousands of
// partitions) it forgets every broker and fails requests with
// BROKER_NOT_AVAILABLE.
func adminClient(cluster *broker.Cluster, topics []string) *kafka.Client {
	tr := cluster.Transport()
	tr.MetadataTTL = 6 * time.Second
	tr.MetadataTopics = topics
	return &kafka.Client{Addr: cluster.Addr, Timeout: 10 * time.Second, Transport: tr}
}

// AdminAddr is the bound admin address.
func (s *Sink) AdminAddr() string { return s.admin.Addr() }

// RegistryClient is the schema registry client the sink decodes with: its
// own, or the process's (broker.Settings.ShareRegistry).
func (s *Sink) RegistryClient() *registry.Client { return s.writers.reg }

// ready is not ready until the group is joined, while any dependency is
// being retried, and while the group has lag the sink makes no progress on
// although its reader was recreated: a sink holding its offsets behind an
// unavailable ClickHouse, or behind a reader that never gets its
// partitions, is alive but not doing its work.
func (s *Sink) ready(context.Context) error {
	if why := s.stalled.Load(); why != nil {
		return errors.New(*why)
	}
	if err := s.watchdog.Ready(); err != nil {
		return err
	}
	if !s.started.Load() {
		return errors.New("starting")
	}
	return nil
}

// Run consumes until ctx ends, then flushes and commits what it read and
// returns nil; any earlier error is returned.
func (s *Sink) Run(ctx context.Context) error {
	defer s.ch.Close()
	adminCtx, stopAdmin := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.admin.Run(adminCtx); err != nil {
			s.log.Error("admin server", "err", err.Error())
		}
	}()
	defer func() { stopAdmin(); wg.Wait() }()
	defer s.producer.Close()

	// The group's topics must exist: a topic missing at join time would not
	// be assigned. Creating them with the cluster's defaults is harmless;
	// the dead-letter topic is the sink's own.
	base := *s.topics.Load()
	if err := s.retry(ctx, "create topics", func(ctx context.Context) error {
		if err := s.cluster.Ping(ctx); err != nil {
			var insecure *broker.SecurityError
			if errors.As(err, &insecure) {
				return permanent{err} // no retry mends refused credentials or an untrusted broker
			}
			return err
		}
		return s.createTopics(ctx, append([]string{DeadLetterTopic(s.cfg.TopicPrefix)}, base...))
	}); err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.watchdog.Run(adminCtx, func() {
			if rejoin := s.rejoin.Load(); rejoin != nil {
				(*rejoin)()
			}
		})
	}()
	for {
		// Joined before a topic it creates is listed with its partitions, the
		// group would not be assigned that topic until the next discovery.
		var layout broker.Layout
		if err := s.retry(ctx, "list topics", func(ctx context.Context) (err error) {
			layout, err = s.discover(ctx, base)
			return err
		}); err != nil {
			return err
		}
		topics := layout.Names()
		for _, t := range topics {
			if s.byTopic[t] == nil {
				s.byTopic[t] = s.events // a webhook topic this build's catalogue lacks: audited all the same
			}
		}
		s.topics.Store(&topics)
		session, stop := context.WithCancel(ctx)
		changed, stalled := make(chan struct{}), make(chan struct{})
		var once sync.Once
		rejoin := func() { once.Do(func() { close(stalled); stop() }) }
		s.rejoin.Store(&rejoin)
		discover := func(ctx context.Context) (broker.Layout, error) { return s.discover(ctx, base) }
		go broker.WatchTopics(session, s.cfg.Discovery, layout, discover, func() { close(changed); stop() })
		reader := s.newReader(topics)
		s.started.Store(true)
		err := s.consume(session, reader)
		stop()
		s.rejoin.Store(nil)
		reader.Close()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-changed:
			s.log.Info("topics or partitions changed: re-joining the group", "topics", len(topics))
		case <-stalled:
			s.log.Info("re-joining the group with a new reader", "topics", len(topics))
		default:
			return nil
		}
	}
}

func (s *Sink) newReader(topics []string) *kafka.Reader {
	return kafka.NewReader(broker.GroupTimings(s.cluster.ReaderConfig(kafka.ReaderConfig{
		GroupID:     s.cfg.Group,
		GroupTopics: topics,
		StartOffset: kafka.FirstOffset,
		MinBytes:    1,
		MaxBytes:    16 << 20,
		// Commits are explicit and synchronous (CommitInterval 0): an
		// offset is committed only after its rows are in ClickHouse.
		CommitInterval: 0,
		QueueCapacity:  10_000,
		ReadBackoffMax: 250 * time.Millisecond,
		// Partition changes are found by WatchTopics, not kafka-go's
		// WatchPartitionChanges (see there).
		Logger: kafka.LoggerFunc(func(msg string, args ...any) {
			// Every idle long poll of every partition says "no messages
			// received": noise that would bury the group's events.
			if s.log.Enabled(context.Background(), slog.LevelDebug) && !strings.HasPrefix(msg, "no messages received") {
				s.log.Debug("kafka reader: " + fmt.Sprintf(msg, args...))
			}
		}),
		ErrorLogger: broker.ReaderErrorLogger(s.log),
	})))
}

// discover returns base and every webhook topic on the cluster with their
// partition counts: ingest routes a webhook type Belvo adds to a topic of
// its own, and the audit table must hold every webhook (the fetcher records
// it as an unknown_webhook error event too). Every base topic must be listed.
func (s *Sink) discover(ctx context.Context, base []string) (broker.Layout, error) {
	all, err := s.cluster.TopicsWithPrefix(ctx, s.cfg.TopicPrefix+".")
	if err != nil {
		return nil, err
	}
	webhooks := schemas.WebhookTopicPrefix(s.cfg.TopicPrefix)
	out := broker.Layout{}
	for t, n := range all {
		if strings.HasPrefix(t, webhooks) {
			out[t] = n
		}
	}
	for _, t := range base {
		if all[t] == 0 {
			return nil, fmt.Errorf("topic %s is not listed with partitions yet", t)
		}
		out[t] = all[t]
	}
	return out, nil
}

// createTopics creates the missing ones of topics in one request: the sink
// reads some forty, and creating them one by one (each waiting for its
// leaders) costs a metadata round trip each on a busy broker. The reader
// itself waits for leaders.
func (s *Sink) createTopics(ctx context.Context, topics []string) error {
	md, err := s.cluster.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return fmt.Errorf("look up topics: %w", err)
	}
	exists := map[string]bool{}
	for _, t := range md.Topics {
		if t.Error == nil && len(t.Partitions) > 0 {
			exists[t.Name] = true
		}
	}
	var req kafka.CreateTopicsRequest
	for _, t := range topics {
		if !exists[t] {
			req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t, NumPartitions: s.cfg.Partitions, ReplicationFactor: s.cfg.Replication})
		}
	}
	if len(req.Topics) == 0 {
		return nil
	}
	res, err := s.cluster.Client.CreateTopics(ctx, &req)
	if err != nil {
		return fmt.Errorf("create %d topics: %w", len(req.Topics), err)
	}
	for t, err := range res.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t, err)
		}
	}
	return nil
}

// consume reads into one pending batch while the previous one is flushed:
// decoding the next batch overlaps the engine taking the last, which on a
// host the sink shares with ClickHouse is most of the load's wall time. At
// most one flush runs, and a batch is flushed only after the one before it
// is committed, so offsets are committed in the order they were read and
// memory holds two batches at most.
func (s *Sink) consume(ctx context.Context, reader *kafka.Reader) error {
	// A failed flush ends the read it overlaps.
	readCtx, cancelRead := context.WithCancel(ctx)
	defer cancelRead()
	// An error return ends the flush in flight too; shutdown waits for it.
	flushCtx, cancelFlush := context.WithCancel(ctx)
	s.flushes = &flusher{reader: reader, ctx: flushCtx, fail: cancelRead}
	defer func() {
		cancelFlush()
		_ = s.flushes.wait()
		s.flushes = nil
	}()
	// The partitions may have been another member's since the last
	// session: what ClickHouse holds of each is read again after the join.
	clear(s.loaded)
	clear(s.seen)
	clear(s.snapshots)
	s.firstJoin = true
	p := newPending()
	var deadline batchDeadline
	defer deadline.stop()
	for {
		wait := readCtx
		if !p.empty() {
			wait = deadline.of(readCtx, p, p.since.Add(s.cfg.FlushInterval))
		}
		// While a flush runs, a reader without messages is not what holds
		// the group's lag back: the watchdog must not recreate it.
		fetched := func() {}
		if !s.flushes.running() {
			fetched = s.watchdog.Fetching()
		}
		msg, err := reader.FetchMessage(wait)
		fetched()
		switch {
		case ctx.Err() != nil:
			return s.shutdown(reader, p)
		case readCtx.Err() != nil:
			return s.flushes.wait() // a flush failed
		case errors.Is(err, context.DeadlineExceeded):
			// The flush interval passed.
		case broker.ReaderHeals(err):
			s.readErrs.Report(err) // no pause: see ReadErrors
			continue
		case err != nil:
			return fmt.Errorf("read from Kafka: %w", err)
		default:
			s.watchdog.Progress()
			full, err := s.read(ctx, p, msg)
			if err != nil {
				if ctx.Err() != nil {
					return s.shutdown(reader, p)
				}
				return err
			}
			if !full && time.Since(p.since) < s.cfg.FlushInterval {
				continue
			}
		}
		if p.empty() {
			continue
		}
		if err := s.flushes.wait(); err != nil {
			if ctx.Err() != nil {
				return s.shutdown(reader, p)
			}
			return err
		}
		s.checkRebalance(reader, p)
		p.sized()
		s.flushes.start(s, p)
		p = newPending()
	}
}

// batchDeadline is the pending batch's flush deadline as a context, made
// once per batch rather than once per read: each is a timer, and one per
// message was about a tenth of the sink's CPU.
type batchDeadline struct {
	p      *pending
	ctx    context.Context
	cancel context.CancelFunc
}

func (d *batchDeadline) of(parent context.Context, p *pending, at time.Time) context.Context {
	if d.p != p {
		d.stop()
		d.p = p
		d.ctx, d.cancel = context.WithDeadline(parent, at)
	}
	return d.ctx
}

func (d *batchDeadline) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// flusher runs the flush of one batch beside consume's reading of the next.
// Its fields are consume's: only its goroutine starts and waits.
type flusher struct {
	reader committer
	ctx    context.Context
	fail   context.CancelFunc // ends the read when a flush fails
	// p is the batch of the flush started last. Nothing is read into it
	// once handed over, so consume may look at its partitions (p.commit)
	// while the flush reads them too.
	p    *pending
	done chan struct{} // closed when it ended; nil before the first
	err  error
}

func (f *flusher) start(s *Sink, p *pending) {
	f.p, f.err, f.done = p, nil, make(chan struct{})
	s.metrics.pending.Set(0)
	go func() {
		defer close(f.done)
		if f.err = s.flush(f.ctx, f.reader, p); f.err != nil {
			f.fail()
		}
	}()
}

func (f *flusher) running() bool {
	if f == nil || f.done == nil {
		return false
	}
	select {
	case <-f.done:
		return false
	default:
		return true
	}
}

// holds reports whether the flush started last carries records of tp;
// once it ended, whether it did (its error then still ends the read).
func (f *flusher) holds(tp topicPartition) bool {
	_, ok := f.inFlight()[tp]
	return ok
}

// inFlight returns the partitions of the flush started last, nil before
// the first.
func (f *flusher) inFlight() map[topicPartition]kafka.Message {
	if f == nil || f.p == nil {
		return nil
	}
	return f.p.commit
}

// wait returns once no flush runs, with the error of the last one.
func (f *flusher) wait() error {
	if f == nil || f.done == nil {
		return nil
	}
	<-f.done
	return f.err
}

// checkRebalance marks p for a fresh look at what ClickHouse holds when
// kafka-go rejoined the group since the last batch: its partitions may
// have been someone else's since they were last checked. kafka-go's Stats
// resets its counters, so only this consume goroutine asks.
func (s *Sink) checkRebalance(reader committer, p *pending) {
	n := reader.Stats().Rebalances
	if s.firstJoin {
		// Counted, it would clear what the first batch has just read
		// from ClickHouse, and every partition of that batch would wait
		// for the first flush to read it again.
		s.firstJoin = false
		n--
	}
	if n > 0 {
		s.log.Info("consumer group rebalanced: what ClickHouse holds is read again", "rebalances", n, "partitions_read", len(s.seen))
		clear(s.loaded)
		clear(s.seen)
		clear(s.snapshots)
		p.recheck = true
	}
}

// shutdown is SIGTERM's last flush: what was read is loaded and committed
// within ShutdownTimeout; what is not will be read again by the next run,
// which is safe (doc.go). A flush cut short by the end of ctx runs again
// first: its rows carry the same tokens, and it precedes p.
func (s *Sink) shutdown(reader *kafka.Reader, p *pending) error {
	batches := []*pending{p}
	if err := s.flushes.wait(); err != nil {
		batches = []*pending{s.flushes.p, p}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	flushed := false
	for _, p := range batches {
		if p.empty() {
			continue
		}
		s.checkRebalance(reader, p)
		if err := s.flush(ctx, reader, p); err != nil {
			return fmt.Errorf("final flush: %w", err)
		}
		flushed = true
	}
	if flushed {
		s.log.Info("sink stopped after a final flush")
	}
	return nil
}

// read adds one message to p: skipped when ClickHouse holds it already,
// dead-lettered when it cannot be loaded, else a row of its table. It
// reports whether p should be flushed now.
func (s *Sink) read(ctx context.Context, p *pending, m kafka.Message) (bool, error) {
	// p.read(m) only once the message is settled (skipped, dead-lettered
	// or a row): an error here must not let its offset be committed.
	t := s.byTopic[m.Topic]
	tp := topicPartition{m.Topic, m.Partition}
	if t == nil {
		return false, fmt.Errorf("read %s, which the sink does not subscribe to", m.Topic)
	}
	if last, ok := s.seen[tp]; !ok || m.Offset != last+1 {
		// First message of the partition, or a jump (a rebalance rewound it
		// to the committed offset, or someone else moved it on): what is
		// loaded must be read from ClickHouse again.
		delete(s.loaded, tp)
	}
	s.seen[tp] = m.Offset
	hwm, ok := s.loaded[tp]
	if !ok {
		// What ClickHouse holds of tp is only known once the batch in
		// flight is in, if it holds tp's earlier offsets. Any other flush
		// cannot change it: waiting for it would make the first read of
		// every partition in a session wait for a flush.
		if s.flushes.holds(tp) {
			if err := s.flushes.wait(); err != nil {
				return false, err
			}
		}
		if err := s.retry(ctx, "read loaded offset", func(ctx context.Context) (err error) {
			hwm, err = s.loadedOffset(ctx, t, tp)
			return err
		}); err != nil {
			return false, err
		}
		s.loaded[tp] = hwm
	}
	if m.Offset <= hwm {
		p.read(m)
		s.metrics.skipped.WithLabelValues(t.name).Inc()
		return p.bytes >= s.cfg.BatchBytes, nil
	}
	pos := records.Position{Topic: m.Topic, Partition: int32(m.Partition), Offset: m.Offset}
	if dec, body := s.writers.decoder(ctx, t, m.Value); dec != nil {
		if len(s.cells) < dec.Width() {
			s.cells = make([]chblock.Cell, dec.Width())
		}
		if cells := s.cells[:dec.Width()]; dec.CellsIn(cells, body, pos) {
			return s.add(p, m, t, tp, nil, cells, cellsInfo(t, cells, dec, m.Offset), nil), nil
		}
	}
	var native any
	err := s.retry(ctx, "decode", func(ctx context.Context) (err error) {
		native, err = s.writers.decode(ctx, m.Value)
		if err != nil && !transientDecode(err) {
			return permanent{err}
		}
		return err
	})
	var perm permanent
	if errors.As(err, &perm) {
		return s.dead(p, m, t, perm.err), nil
	}
	if err != nil {
		return false, err
	}
	rec, ok := native.(map[string]any)
	if !ok {
		return s.dead(p, m, t, fmt.Errorf("decoded %T, not a record", native)), nil
	}
	row, err := t.row(nil, rec, pos)
	if err != nil {
		return s.dead(p, m, t, err), nil
	}
	return s.add(p, m, t, tp, row, nil, infoOf(t, row), rec), nil
}

// add appends the row of m to its table's batch, given as values (row) or,
// row nil, as cells to be made into values only if needed (info.dec); with
// the purge a link_events record (decoded into native) asks for. It
// reports whether p should be flushed now.
func (s *Sink) add(p *pending, m kafka.Message, t *table, tp topicPartition, row []any, cells []chblock.Cell, info rowInfo, native map[string]any) bool {
	p.read(m)
	b := p.batch(t)
	b.rows = append(b.rows, row)
	b.info = append(b.info, info)
	b.appendBlock(s.blocks, t, row, cells)
	b.from = append(b.from, tp)
	b.msgs = append(b.msgs, m)
	if t.linkEvents {
		if pu, ok := purgeOf(native, m.Topic, int32(m.Partition), m.Offset); ok {
			b.purges = append(b.purges, pu)
		}
	}
	p.rows++
	s.metrics.pending.Set(float64(p.rows))
	return len(b.rows) >= s.cfg.BatchRows || p.bytes >= s.cfg.BatchBytes
}

func (s *Sink) dead(p *pending, m kafka.Message, t *table, reason error) bool {
	p.read(m)
	p.dead = append(p.dead, deadLetter{msg: m, table: t.name, reason: reason})
	return p.bytes >= s.cfg.BatchBytes
}

// permanent marks an error no retry can fix: the record is dead-lettered.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }

// transientDecode decides retry versus dead letter for a decode failure:
// only the registry failing to answer is worth waiting for. A frame that is
// not Confluent Avro, an unknown schema id (404) or bytes the schema cannot
// read are the record's fault.
func transientDecode(err error) bool {
	var fetch *registry.SchemaFetchError
	if !errors.As(err, &fetch) {
		return false // the bytes: not Confluent Avro, or not what the schema reads
	}
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode >= 500 || re.StatusCode == 429
	}
	return true // unreachable, refused credentials, an untrusted certificate
}

// flush dead-letters, purges and inserts everything pending, then commits
// the offsets read. Each step is retried until it succeeds or ctx ends;
// nothing is committed before every insert succeeded.
func (s *Sink) flush(ctx context.Context, reader committer, p *pending) error {
	if p.recheck {
		// Partitions may have been someone else's since they were last
		// checked (checkRebalance): re-read what ClickHouse holds before
		// inserting.
		for t, b := range p.batches {
			parts := map[topicPartition]bool{}
			var topics []string
			for _, tp := range b.from {
				if !slices.Contains(topics, tp.topic) {
					topics = append(topics, tp.topic)
				}
				parts[tp] = true
			}
			if len(parts) == 0 {
				continue
			}
			var hwm map[topicPartition]int64
			if err := s.retry(ctx, "read loaded offset", func(ctx context.Context) (err error) {
				hwm, err = s.loadedOffsets(ctx, t, topics)
				return err
			}); err != nil {
				return err
			}
			for tp := range parts {
				off, ok := hwm[tp]
				if !ok {
					off = -1
				}
				if n := b.dropLoaded(tp, off); n > 0 {
					s.metrics.skipped.WithLabelValues(t.name).Add(float64(n))
				}
			}
		}
	}
	if err := s.deadLetter(ctx, p.dead); err != nil {
		return err
	}
	ran := map[purgePosition]bool{} // the purges of p's own link_deleted facts
	for _, t := range s.order {
		b := p.batches[t]
		if b == nil {
			continue
		}
		if len(b.rows) > 0 {
			refused, err := s.load(ctx, t, b)
			if err != nil {
				return err
			}
			s.metrics.rows.WithLabelValues(t.name).Add(float64(len(b.rows) - refused))
		}
		// The link_deleted facts are in link_events before their purges
		// run (repurge relies on that order); a crash in between re-reads
		// them and, purges being idempotent, runs them again.
		for _, pu := range b.purges {
			if err := s.retry(ctx, "purge link", func(ctx context.Context) error { return s.purgeLink(ctx, pu, schemas.Resources) }); err != nil {
				return err
			}
			s.metrics.purges.Inc()
			ran[pu.position()] = true
		}
	}
	// One look-up for every resource batch, after all of them are in: the
	// engine runs statements one at a time, and a look-up per table was
	// most of a small flush's round trips.
	if err := s.retry(ctx, "purge late records", func(ctx context.Context) error { return s.repurge(ctx, p, ran) }); err != nil {
		return err
	}
	if s.afterInsert != nil {
		if err := s.afterInsert(); err != nil {
			return err
		}
	}
	s.releaseBlocks(p)
	msgs := make([]kafka.Message, 0, len(p.commit))
	for _, m := range p.commit {
		msgs = append(msgs, m)
	}
	// A failed commit loses nothing: the records are read again and
	// skipped as loaded. It is not retried past a rebalance, where the
	// partitions may no longer be ours.
	if err := reader.CommitMessages(ctx, msgs...); err != nil {
		s.log.Warn("offset commit failed; the records will be read again and skipped", "err", err.Error())
		return nil
	}
	s.metrics.commits.Inc()
	s.watchdog.Progress()
	return nil
}

// releaseBlocks returns the blocks of p, inserted, to the pool. A flush
// that failed before keeps them: shutdown may flush p again.
func (s *Sink) releaseBlocks(p *pending) {
	for t, b := range p.batches {
		if b.block != nil {
			s.blocks.put(t, b.block)
			b.block = nil
		}
	}
}

// retry runs fn until it succeeds, fails permanently or ctx ends, backing
// off exponentially up to MaxBackoff and reporting not-ready meanwhile.
func (s *Sink) retry(ctx context.Context, op string, fn func(context.Context) error) error {
	wait := backoff.New(50*time.Millisecond, s.cfg.MaxBackoff)
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		var perm permanent
		if err == nil || errors.As(err, &perm) {
			if attempt > 1 {
				s.stalled.Store(nil)
				s.log.Info("recovered", "op", op, "attempts", attempt)
			}
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		why := op + ": " + err.Error()
		s.stalled.Store(&why)
		s.metrics.retries.WithLabelValues(op).Inc()
		d := wait.Next()
		s.log.Warn("retrying", "op", op, "attempt", attempt, "backoff", d.String(), "err", err.Error())
		if wait.Sleep(ctx, d) != nil {
			return err
		}
	}
}
