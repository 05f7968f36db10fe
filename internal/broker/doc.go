// Package broker owns the pipeline's use of Kafka through kafka-go: creating
// topics, checking that the cluster answers, and a group-commit producer that
// acknowledges each message only after the partition leader has it with
// acks=all.
//
// Why not kafka-go's Writer: a synchronous Writer.WriteMessages waits for its
// batch to fill or for BatchTimeout, so one webhook costs up to BatchTimeout
// of latency (a second by default). The Producer here sends, in one request per
// broker, the pending messages of every partition that broker leads, the
// moment the previous request to that broker returns: under load batches
// grow by themselves, idle it costs one round trip.
package broker
