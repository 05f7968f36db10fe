// Package ops holds the operator commands of belvo-pipeline that act on a
// running pipeline from outside it: backfill (re-fetch a link's history
// through the fetcher), replay (reload records still in Kafka into
// ClickHouse) and erase (remove a link's rows from every table).
//
// It sits with the commands, above the stages, because replay and erase
// reuse the sink's own loading and purging code (sink.Load, sink.PurgeLink)
// rather than a copy of it, and backfill writes the webhook envelope the
// fetcher reads: stages never import each other, only cmd may import them.
package ops
