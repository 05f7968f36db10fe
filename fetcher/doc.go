// Package fetcher turns Belvo webhooks into records. It consumes every
// <prefix>.webhooks.* topic that ingest writes (institution status aside) in
// one consumer group, plans each event from its row of schemas.Catalogue,
// lists what the row names through internal/belvo, and publishes every
// record as Confluent-framed Avro to <prefix>.records.<resource>, keyed by
// the record id and stamped with its lineage (link, webhook, request, fetch
// time). Events that carry their own facts (link, consent, error events,
// deletions) become records without a fetch.
//
// It owns three guarantees:
//   - at-least-once: an event's offset is committed only after every record
//     of its plan (records, facts, dead letters, state) is acknowledged by
//     Kafka, and offsets are committed contiguously per partition, so a
//     crash replays the unfinished plans and nothing else;
//   - per-link order with concurrency across links: events of one link run
//     one after the other, different links run on a bounded pool, and a link
//     that is slow or retrying holds one slot, never the others;
//   - durable created_at__range: the date of the previous notification of a
//     link and resource lives in a compacted topic, <prefix>.fetcher.state,
//     loaded at start and tailed while running, so restarts and replicas
//     agree.
//
// The catalogue is the only per-event knowledge: there is no switch per
// resource here. It also issues Belvo's asynchronous requests for the
// `request` subcommand and records them as requests facts.
package fetcher
