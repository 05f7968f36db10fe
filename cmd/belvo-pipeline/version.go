package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Set at link time by `make build` and the Dockerfile:
//
//	-ldflags "-X main.version=$(git describe --tags --always --dirty) -X main.revision=$(git rev-parse HEAD)"
//
// Without them (go run, go build) the version derives from the VCS
// information the Go toolchain stamps into the binary.
var version, revision string

type build struct {
	Version, Revision, GoVersion string
}

// buildInfo says what this binary is: the linked version, else the main
// module's version the toolchain stamped (go install ...@v1.2.3, or since Go
// 1.24 a pseudo-version v0.0.0-<time>-<commit>[+dirty] of the checkout),
// else 0.0.0-<commit>[-dirty] from the VCS stamp, else "dev".
func buildInfo() build {
	b := build{Version: version, Revision: revision, GoVersion: runtime.Version()}
	var vcsRevision string
	var modified bool
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				vcsRevision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
	}
	if b.Revision == "" {
		b.Revision = vcsRevision
	}
	if b.Version == "" && vcsRevision != "" {
		b.Version = "0.0.0-" + vcsRevision[:min(12, len(vcsRevision))]
		if modified {
			b.Version += "-dirty"
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Revision == "" {
		b.Revision = "unknown"
	}
	return b
}

func (b build) String() string {
	return fmt.Sprintf("belvo-pipeline %s (revision %s, %s)", b.Version, b.Revision, b.GoVersion)
}

// registerBuildInfo adds belvo_build_info{version,revision,goversion} 1, so
// that dashboards and alerts can tell which release each pod runs.
func registerBuildInfo(reg prometheus.Registerer, b build) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "belvo_build_info",
		Help: "Always 1; the labels say which build of belvo-pipeline the process runs.",
	}, []string{"version", "revision", "goversion"})
	g.WithLabelValues(b.Version, b.Revision, b.GoVersion).Set(1)
	reg.MustRegister(g)
}
