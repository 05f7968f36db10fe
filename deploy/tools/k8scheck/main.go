// Command k8scheck checks what a schema cannot: that the rendered
// deploy/k8s manifests work as shipped. scripts/k8s-validate.sh runs it on
// every kustomization it renders, after kubeconform.
//
//   - images are pinned (a tag other than latest, or a digest);
//   - Strimzi objects use kafka.strimzi.io/v1, and each role that logs in to
//     Kafka has a KafkaUser whose Secret it reads, with the cluster CA mounted;
//   - every KEDA kafka trigger authenticates (TriggerAuthentication) over
//     SASL_SSL, like the roles;
//   - each role has a ServiceMonitor that selects a Service with its port,
//     the PrometheusRule and the Grafana dashboard ConfigMap are there;
//   - settings agree with the topics and the docs: TOPIC_PARTITIONS with the
//     KafkaTopics, the fetcher's and sink's most replicas with the
//     partitions, BELVO_RATE_LIMIT within Belvo's 80 per 30 s,
//     INGEST_MAX_BODY_BYTES within the documented 900 KiB;
//   - every alert parses as PromQL, uses metrics the code exports, and is
//     the row of docs/operations.md's alert table with the same name;
//   - every PLACEHOLDER(id) in deploy/k8s is explained in deploy/k8s/README.md
//     and the README lists no other.
//
// Usage:
//
//	k8scheck -root REPO NAME=RENDERED.yaml...
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	root := flag.String("root", ".", "repository root (for docs/, deploy/ and the Go sources)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: k8scheck -root REPO NAME=RENDERED.yaml...")
		os.Exit(2)
	}
	var problems []string
	for _, arg := range flag.Args() {
		name, file, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "k8scheck: %q is not NAME=FILE\n", arg)
			os.Exit(2)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "k8scheck:", err)
			os.Exit(1)
		}
		objs, err := parseObjects(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8scheck: %s: %v\n", name, err)
			os.Exit(1)
		}
		for _, p := range checkRendered(objs) {
			problems = append(problems, name+": "+p)
		}
		for _, p := range checkRules(*root, objs) {
			problems = append(problems, name+": "+p)
		}
	}
	for _, p := range checkPlaceholders(*root) {
		problems = append(problems, p)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "k8scheck:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("k8scheck: ok (%d renderings)\n", flag.NArg())
}
