// Package grafana holds the Grafana dashboard of the pipeline
// (belvo-pipeline.json, import it or provision it from a ConfigMap) and the
// test that keeps it in step with the metrics the code exports.
package grafana
