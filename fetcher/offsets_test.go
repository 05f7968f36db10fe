package fetcher

import (
	"testing"

	"github.com/segmentio/kafka-go"
)

// Offsets are committed only up to the first unfinished event of each
// partition: finishing 12 before 11 commits nothing past 10.
func TestOffsetsCommitOnlyContiguousFinishedEvents(t *testing.T) {
	o := newOffsets()
	msg := func(p int, off int64) kafka.Message { return kafka.Message{Topic: "t", Partition: p, Offset: off} }
	for off := int64(10); off <= 13; off++ {
		o.read(msg(0, off))
	}
	o.read(msg(1, 5))
	o.finish(msg(0, 10))
	o.finish(msg(0, 12))
	o.finish(msg(0, 13))
	got := o.committable()
	if len(got) != 1 || got[0].Partition != 0 || got[0].Offset != 10 {
		t.Fatalf("committable %v, want partition 0 offset 10", got)
	}
	if o.inFlight() != 2 {
		t.Fatalf("in flight %d, want 2 (offset 11 and partition 1)", o.inFlight())
	}
	o.finish(msg(0, 11))
	if got := o.committable(); len(got) != 1 || got[0].Offset != 13 {
		t.Fatalf("committable %v, want offset 13", got)
	}
	if got := o.committable(); len(got) != 0 {
		t.Fatalf("committed twice: %v", got)
	}
	o.restore([]kafka.Message{msg(0, 13)})
	if got := o.committable(); len(got) != 1 || got[0].Offset != 13 {
		t.Fatalf("a failed commit was not restored: %v", got)
	}
}

func msgAt(off int64) kafka.Message { return kafka.Message{Topic: "t", Offset: off} }
