// Tools for validating deploy/k8s, kept out of the service's module so that
// their dependencies never reach the binary. scripts/k8s-validate.sh runs
// them.
module github.com/finflow/belvo-pipeline/deploy/tools

go 1.26.8

require sigs.k8s.io/yaml v1.6.0

require go.yaml.in/yaml/v2 v2.4.2 // indirect
