package migrate

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// TestMeasurePartitioning decides whether the record tables should be
// partitioned. It loads the same few million transactions (a tenth of them
// fetched twice, a hundredth deleted) into the generated transactions table
// and into copies partitioned by link hash and by month of value date, then
// times the FINAL queries the views run. It prints the figures
// (docs/analytics.md keeps them) and asserts only that every layout gives
// the same answers. It takes minutes, so it runs only when asked:
//
//	BELVO_MEASURE_PARTITIONS=3000000 nice go test -tags integration -run TestMeasurePartitioning -v ./internal/migrate
func TestMeasurePartitioning(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BELVO_MEASURE_PARTITIONS"))
	if n <= 0 {
		t.Skip("set BELVO_MEASURE_PARTITIONS to the number of transactions to load")
	}
	conn, db := testDatabase(t)
	ctx := context.Background()
	exec := func(q string) time.Duration {
		t.Helper()
		start := time.Now()
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.200s: %v", q, err)
		}
		return time.Since(start)
	}
	exec("CREATE DATABASE `" + db + "`")
	r, _ := schemas.ResourceByName("transactions")
	base := strings.Replace(r.CreateTable(""), "`belvo`.`transactions`", "`"+db+"`.`%s`", 1)
	// link_hash keeps every fetch of a record in one partition (link_id is
	// in the sort key), so FINAL may skip merging across partitions;
	// value_month does not (a re-fetch may move value_date).
	layouts := []struct{ table, partition, settings string }{
		{"none", "", ""},
		{"link_hash", "PARTITION BY cityHash64(`link_id`) % 16\n", ""},
		{"link_hash", "PARTITION BY cityHash64(`link_id`) % 16\n", " SETTINGS do_not_merge_across_partitions_select_final = 1"},
		{"value_month", "PARTITION BY toYYYYMM(ifNull(`value_date`, toDate32('1970-01-01')))\n", ""},
	}
	const links = 1000
	// Every record once, then a tenth re-fetched with a new amount, then a
	// hundredth deleted: as the sink writes them, in separate inserts.
	load := func(table string) time.Duration {
		cols := "`id`, `link_id`, `value_date`, `amount`, `currency`, `type`, `category`, `raw`, `fetched_at`, `topic`, `partition`, `offset`, `version`, `is_deleted`"
		row := func(version, deleted string) string {
			return fmt.Sprintf("SELECT concat('tx-', toString(number)), concat('link-', toString(number %% %d)), "+
				"toDate32('2025-01-01') + toIntervalDay(number %% 540), toDecimal128(number %% 10000, 10) / 100 + %s, 'MXN', "+
				"if(number %% 3 = 0, 'INFLOW', 'OUTFLOW'), ['Food & Groceries','Shopping','Transport & Travel','Bills & Utilities','Income & Payments'][number %% 5 + 1], "+
				"concat('{\"id\":\"tx-', toString(number), '\",\"description\":\"purchase at a merchant\",\"merchant\":{\"merchant_name\":\"Shop\"}}'), "+
				"now64(6), 'belvo.records.transactions', 0, number, %s, %s", links, version, version, deleted)
		}
		d := exec(fmt.Sprintf("INSERT INTO `%s`.`%s` (%s) %s FROM numbers(%d)", db, table, cols, row("0", "0"), n))
		d += exec(fmt.Sprintf("INSERT INTO `%s`.`%s` (%s) %s FROM numbers(%d) WHERE number %% 10 = 0", db, table, cols, row("1", "0"), n))
		d += exec(fmt.Sprintf("INSERT INTO `%s`.`%s` (%s) %s FROM numbers(%d) WHERE number %% 100 = 7", db, table, cols, row("2", "1"), n))
		return d
	}
	queries := []struct{ name, q string }{
		{"monthly spend, all links", "SELECT link_id, toStartOfMonth(value_date) AS m, category, sum(amount) FROM `%s`.`%s` FINAL WHERE type = 'OUTFLOW' GROUP BY link_id, m, category ORDER BY link_id, m, category"},
		{"one link's transactions", "SELECT count(), sum(amount) FROM `%s`.`%s` FINAL WHERE link_id = 'link-42'"},
		{"one month, all links", "SELECT count(), sum(amount) FROM `%s`.`%s` FINAL WHERE value_date >= '2025-06-01' AND value_date < '2025-07-01'"},
	}
	answers := map[string]string{}
	for _, l := range layouts {
		ddl := fmt.Sprintf(base, l.table)
		if l.partition != "" {
			ddl = strings.Replace(ddl, "ORDER BY", l.partition+"ORDER BY", 1)
		}
		name := l.table
		if l.settings == "" {
			exec(ddl)
			loadTime := load(l.table)
			var parts uint64
			if err := conn.QueryRow(ctx, "SELECT count() FROM system.parts WHERE database = ? AND table = ? AND active", db, l.table).Scan(&parts); err != nil {
				t.Fatal(err)
			}
			t.Logf("%-12s loaded %d rows in %v, %d active parts", l.table, n+n/10+n/100, loadTime.Round(time.Millisecond), parts)
		} else {
			name += "+nomerge"
		}
		for _, q := range queries {
			var times []time.Duration
			var answer string
			for i := 0; i < 3; i++ {
				start := time.Now()
				rows, err := conn.Query(ctx, "SELECT cityHash64(groupArray(toString(tuple(*)))) FROM ("+fmt.Sprintf(q.q, db, l.table)+")"+l.settings)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var h uint64
					if err := rows.Scan(&h); err != nil {
						t.Fatal(err)
					}
					answer = strconv.FormatUint(h, 16)
				}
				rows.Close()
				times = append(times, time.Since(start))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			t.Logf("%-20s %-26s median %v (min %v, max %v)", name, q.name, times[1].Round(time.Millisecond), times[0].Round(time.Millisecond), times[2].Round(time.Millisecond))
			if prev, ok := answers[q.name]; ok && prev != answer {
				t.Errorf("%s: %s answers differently from the unpartitioned table", name, q.name)
			}
			answers[q.name] = answer
		}
		if l.settings != "" || l.table != "link_hash" {
			exec(fmt.Sprintf("DROP TABLE `%s`.`%s` SYNC", db, l.table))
		}
	}
}
