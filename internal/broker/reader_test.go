package broker

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/segmentio/kafka-go"
)

// Only a closed reader is final; the group loop's errors are retried by
// kafka-go itself, so a stage must keep reading through them.
func TestReaderHealsFromEverythingButClose(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{kafka.NotLeaderForPartition, true},
		{kafka.RebalanceInProgress, true},
		{fmt.Errorf("join group: %w", kafka.GroupCoordinatorNotAvailable), true},
		{io.EOF, false},
		{context.Canceled, false},
		{nil, false},
	} {
		if got := ReaderHeals(tc.err); got != tc.want {
			t.Errorf("ReaderHeals(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
