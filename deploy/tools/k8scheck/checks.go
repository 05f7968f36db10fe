package main

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	strimziAPI = "kafka.strimzi.io/v1"
	// Belvo answers 403 above 80 requests per 30 s per source IP.
	belvoLimit  = 80
	belvoWindow = 30 * time.Second
	// INGEST_MAX_BODY_BYTES' documented bound (README): 900 KiB keeps the
	// Avro record under the broker's default max.message.bytes.
	maxBodyBytes = 900 << 10
)

// roles are the long-running components and the topic classes their
// consumer group reads (none for ingest).
var roles = map[string][]string{
	"ingest":  nil,
	"fetcher": {"webhooks"},
	"sink":    {"records", "webhooks"},
}

func checkRendered(objs []object) []string {
	var p problems
	checkImages(&p, objs)
	checkStrimzi(&p, objs)
	deployments := roleDeployments(&p, objs)
	for role, d := range deployments {
		checkKafkaLogin(&p, objs, role, d)
		checkServiceMonitor(&p, objs, role, d)
	}
	checkScaledObjects(&p, objs, deployments)
	checkSettings(&p, objs, deployments)
	if len(byKind(objs, "PrometheusRule")) == 0 {
		p.add("no PrometheusRule")
	}
	checkDashboard(&p, objs)
	return p
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// checkImages refuses moving tags: an image without a tag is latest.
func checkImages(p *problems, objs []object) {
	for _, o := range objs {
		for _, c := range containers(podSpec(o)) {
			img := str(c, "image")
			if img == "" {
				p.add("%s container %s has no image", o.ref(), str(c, "name"))
				continue
			}
			if strings.Contains(img, "@sha256:") {
				continue
			}
			last := img[strings.LastIndex(img, "/")+1:]
			_, tag, ok := strings.Cut(last, ":")
			if !ok || tag == "" || tag == "latest" {
				p.add("%s container %s: image %q is not pinned (use a release tag or a digest)", o.ref(), str(c, "name"), img)
			}
		}
	}
}

func checkStrimzi(p *problems, objs []object) {
	clusters := map[string]bool{}
	for _, o := range objs {
		if !strings.HasPrefix(o.apiVersion(), "kafka.strimzi.io/") {
			continue
		}
		if o.apiVersion() != strimziAPI {
			p.add("%s uses %s: Strimzi 1.0 serves only %s", o.ref(), o.apiVersion(), strimziAPI)
		}
		c := str(o, "metadata", "labels", "strimzi.io/cluster")
		if c == "" {
			p.add("%s has no strimzi.io/cluster label", o.ref())
		}
		clusters[c] = true
	}
	if len(clusters) > 1 {
		p.add("Strimzi objects name several clusters: %v", clusters)
	}
	if len(byKind(objs, "KafkaTopic")) == 0 {
		p.add("no KafkaTopic")
	}
}

// roleDeployments returns the Deployment of each role, by the
// app.kubernetes.io/component label.
func roleDeployments(p *problems, objs []object) map[string]object {
	out := map[string]object{}
	for _, d := range byKind(objs, "Deployment") {
		role := str(d, "spec", "template", "metadata", "labels", "app.kubernetes.io/component")
		if _, ok := roles[role]; ok {
			out[role] = d
		}
	}
	for role := range roles {
		if out[role] == nil {
			p.add("no Deployment of %s", role)
		}
	}
	return out
}

func mainContainer(d object) map[string]any {
	cs := containers(podSpec(d))
	if len(cs) == 0 {
		return nil
	}
	return cs[len(cs)-1]
}

// checkKafkaLogin: SASL_SSL with SCRAM-SHA-512 as the KafkaUser named by
// KAFKA_SASL_USERNAME, its Strimzi Secret's password, and the cluster CA
// mounted where KAFKA_TLS_CA_FILE points.
func checkKafkaLogin(p *problems, objs []object, role string, d object) {
	c := mainContainer(d)
	env := configMapEnv(objs, c)
	if env["KAFKA_TLS"] != "true" {
		p.add("%s: KAFKA_TLS is %q, want true", d.ref(), env["KAFKA_TLS"])
	}
	if env["KAFKA_SASL_MECHANISM"] != "SCRAM-SHA-512" {
		p.add("%s: KAFKA_SASL_MECHANISM is %q, want SCRAM-SHA-512 (the KafkaUsers' authentication)", d.ref(), env["KAFKA_SASL_MECHANISM"])
	}
	user := containerEnv(c, "KAFKA_SASL_USERNAME")
	ku := find(objs, "KafkaUser", user.value)
	switch {
	case !user.seen || user.fromSecret || user.value == "":
		p.add("%s: KAFKA_SASL_USERNAME must be the KafkaUser's name", d.ref())
	case ku == nil:
		p.add("%s: KAFKA_SASL_USERNAME %q names no KafkaUser", d.ref(), user.value)
	default:
		if t := str(ku, "spec", "authentication", "type"); t != "scram-sha-512" {
			p.add("%s: authentication %q, want scram-sha-512", ku.ref(), t)
		}
		if len(list(ku, "spec", "authorization", "acls")) == 0 {
			p.add("%s has no ACLs", ku.ref())
		}
		pw := containerEnv(c, "KAFKA_SASL_PASSWORD")
		if !pw.fromSecret || pw.secret != user.value || pw.key != "password" {
			p.add("%s: KAFKA_SASL_PASSWORD must come from Secret %s key password (the User Operator's), got %+v", d.ref(), user.value, pw)
		}
	}
	caFile := env["KAFKA_TLS_CA_FILE"]
	if caFile == "" {
		p.add("%s: no KAFKA_TLS_CA_FILE", d.ref())
		return
	}
	cluster := ""
	if t := byKind(objs, "KafkaTopic"); len(t) > 0 {
		cluster = str(t[0], "metadata", "labels", "strimzi.io/cluster")
	}
	if !mountsSecretFile(podSpec(d), c, caFile, cluster+"-cluster-ca-cert", "ca.crt") {
		p.add("%s: KAFKA_TLS_CA_FILE %s is not key ca.crt of Secret %s-cluster-ca-cert mounted there", d.ref(), caFile, cluster)
	}
}

// mountsSecretFile reports whether file is key of Secret secret, mounted
// in container c.
func mountsSecretFile(spec, c map[string]any, file, secret, key string) bool {
	dir, base := path.Split(file)
	for _, m := range list(c, "volumeMounts") {
		if strings.TrimSuffix(str(m, "mountPath"), "/")+"/" != dir {
			continue
		}
		for _, v := range list(spec, "volumes") {
			if str(v, "name") != str(m, "name") || str(v, "secret", "secretName") != secret {
				continue
			}
			items := list(v, "secret", "items")
			if len(items) == 0 && base == key {
				return true
			}
			for _, it := range items {
				if str(it, "key") == key && str(it, "path") == base {
					return true
				}
			}
		}
	}
	return false
}

// checkServiceMonitor: a ServiceMonitor selects a Service that selects the
// role's pods, and scrapes a port of that Service that exists on the pods.
func checkServiceMonitor(p *problems, objs []object, role string, d object) {
	podLabels := mapOf(d, "spec", "template", "metadata", "labels")
	for _, sm := range byKind(objs, "ServiceMonitor") {
		want := mapOf(sm, "spec", "selector", "matchLabels")
		for _, svc := range byKind(objs, "Service") {
			if !subset(want, mapOf(svc, "metadata", "labels")) || !subset(mapOf(svc, "spec", "selector"), podLabels) {
				continue
			}
			ok := len(list(sm, "spec", "endpoints")) > 0
			for _, ep := range list(sm, "spec", "endpoints") {
				if !servicePortReachesPod(svc, mainContainer(d), str(ep, "port")) {
					p.add("%s: port %q is not a port of %s reaching a container port", sm.ref(), str(ep, "port"), svc.ref())
					ok = false
				}
			}
			if ok {
				return
			}
		}
	}
	p.add("no ServiceMonitor scrapes the %s pods through a Service", role)
}

func servicePortReachesPod(svc object, c map[string]any, port string) bool {
	for _, sp := range list(svc, "spec", "ports") {
		if str(sp, "name") != port {
			continue
		}
		target := get(sp, "targetPort")
		for _, cp := range list(c, "ports") {
			if target == str(cp, "name") || fmt.Sprint(target) == fmt.Sprint(get(cp, "containerPort")) {
				return true
			}
		}
	}
	return false
}

func subset(want, have map[string]any) bool {
	if len(want) == 0 {
		return false
	}
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// checkScaledObjects: kafka triggers log in as the role does, and never
// ask for more replicas than the group has partitions to share.
func checkScaledObjects(p *problems, objs []object, deployments map[string]object) {
	for _, so := range byKind(objs, "ScaledObject") {
		target := str(so, "spec", "scaleTargetRef", "name")
		var role string
		for r, d := range deployments {
			if d.name() == target {
				role = r
			}
		}
		if role == "" {
			p.add("%s scales %q, no role's Deployment", so.ref(), target)
			continue
		}
		d := deployments[role]
		for i, t := range list(so, "spec", "triggers") {
			if str(t, "type") != "kafka" {
				continue
			}
			if s := str(t, "metadata", "sasl"); s != "scram_sha512" {
				p.add("%s trigger %d: sasl %q, want scram_sha512", so.ref(), i, s)
			}
			if s := str(t, "metadata", "tls"); s != "enable" {
				p.add("%s trigger %d: tls %q, want enable", so.ref(), i, s)
			}
			name := str(t, "authenticationRef", "name")
			ta := find(objs, "TriggerAuthentication", name)
			if ta == nil {
				p.add("%s trigger %d: authenticationRef %q names no TriggerAuthentication", so.ref(), i, name)
				continue
			}
			checkTriggerAuth(p, ta, d)
		}
		maxReplicas, _ := number(so, "spec", "maxReplicaCount")
		for _, class := range roles[role] {
			for _, topic := range byKind(objs, "KafkaTopic") {
				if str(topic, "metadata", "labels", "belvo.finflow.io/topic-class") != class {
					continue
				}
				if n, _ := number(topic, "spec", "partitions"); n < maxReplicas {
					p.add("%s: maxReplicaCount %d but %s has %d partitions: replicas beyond it idle", so.ref(), maxReplicas, topic.ref(), n)
					break
				}
			}
		}
	}
}

func checkTriggerAuth(p *problems, ta, d object) {
	c := mainContainer(d)
	params := map[string][2]string{} // parameter -> secret, key
	for _, r := range list(ta, "spec", "secretTargetRef") {
		params[str(r, "parameter")] = [2]string{str(r, "name"), str(r, "key")}
	}
	pw := containerEnv(c, "KAFKA_SASL_PASSWORD")
	if params["password"] != [2]string{pw.secret, pw.key} {
		p.add("%s: password %v, want the %s's own %s/%s", ta.ref(), params["password"], d.ref(), pw.secret, pw.key)
	}
	if params["ca"][1] != "ca.crt" || !strings.HasSuffix(params["ca"][0], "-cluster-ca-cert") {
		p.add("%s: ca %v, want the cluster CA Secret's ca.crt", ta.ref(), params["ca"])
	}
	username := false
	for _, e := range list(ta, "spec", "env") {
		if str(e, "parameter") == "username" && str(e, "name") == "KAFKA_SASL_USERNAME" && str(e, "containerName") == str(c, "name") {
			username = true
		}
	}
	if _, ok := params["username"]; !username && !ok {
		p.add("%s: no username (env KAFKA_SASL_USERNAME of container %s)", ta.ref(), str(c, "name"))
	}
}

// checkSettings compares the ConfigMaps with the topics and the docs.
func checkSettings(p *problems, objs []object, deployments map[string]object) {
	for role, d := range deployments {
		env := configMapEnv(objs, mainContainer(d))
		parts, err1 := strconv.Atoi(env["TOPIC_PARTITIONS"])
		repl, err2 := strconv.Atoi(env["TOPIC_REPLICATION_FACTOR"])
		if err1 != nil || err2 != nil {
			p.add("%s: TOPIC_PARTITIONS %q, TOPIC_REPLICATION_FACTOR %q: want numbers", d.ref(), env["TOPIC_PARTITIONS"], env["TOPIC_REPLICATION_FACTOR"])
			continue
		}
		for _, t := range byKind(objs, "KafkaTopic") {
			class := str(t, "metadata", "labels", "belvo.finflow.io/topic-class")
			if !slices.Contains([]string{"webhooks", "records", "deadletter"}, class) {
				continue // the fetcher's state topic has one partition by design
			}
			n, _ := number(t, "spec", "partitions")
			r, _ := number(t, "spec", "replicas")
			if n != parts || r != repl {
				// A topic a role creates when missing must look like the
				// KafkaTopics, whichever comes first.
				p.add("%s: %d partitions x %d replicas, but the %s creates topics with TOPIC_PARTITIONS=%d, TOPIC_REPLICATION_FACTOR=%d",
					t.ref(), n, r, role, parts, repl)
				break
			}
		}
		switch role {
		case "fetcher":
			limit, err := strconv.Atoi(env["BELVO_RATE_LIMIT"])
			interval, err2 := time.ParseDuration(env["BELVO_RATE_INTERVAL"])
			if err != nil || err2 != nil || interval <= 0 {
				p.add("%s: BELVO_RATE_LIMIT %q, BELVO_RATE_INTERVAL %q: want a number and a duration", d.ref(), env["BELVO_RATE_LIMIT"], env["BELVO_RATE_INTERVAL"])
			} else if float64(limit)/interval.Seconds() > belvoLimit/belvoWindow.Seconds() {
				p.add("%s: BELVO_RATE_LIMIT %d per %s exceeds Belvo's %d per %s (it is the whole Deployment's budget)", d.ref(), limit, interval, belvoLimit, belvoWindow)
			}
		case "ingest":
			n, err := strconv.Atoi(env["INGEST_MAX_BODY_BYTES"])
			if err != nil || n > maxBodyBytes {
				p.add("%s: INGEST_MAX_BODY_BYTES %q: want at most %d (900 KiB, README)", d.ref(), env["INGEST_MAX_BODY_BYTES"], maxBodyBytes)
			}
		}
	}
}

func checkDashboard(p *problems, objs []object) {
	for _, cm := range byKind(objs, "ConfigMap") {
		if str(cm, "metadata", "labels", "grafana_dashboard") != "1" {
			continue
		}
		for k, v := range mapOf(cm, "data") {
			var dash struct {
				UID    string `json:"uid"`
				Panels []any  `json:"panels"`
			}
			if err := json.Unmarshal([]byte(fmt.Sprint(v)), &dash); err != nil || dash.UID == "" || len(dash.Panels) == 0 {
				p.add("%s: %s is not a dashboard (%v)", cm.ref(), k, err)
			}
		}
		return
	}
	p.add(`no ConfigMap labelled grafana_dashboard: "1" (the dashboard for Grafana's sidecar)`)
}
