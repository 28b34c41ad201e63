//go:build e2e

package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

var updateGolden = flag.Bool("update", false, "rewrite the schema spec's golden matrix from this run instead of comparing with it")

// goldenMatrix is the tutorial matrix as JSON v1 has it, from a real run
// on this project's build machine.
var goldenMatrix = filepath.Join("testdata", "matrix-p3test-hardened.golden.json")

// volatileValues are the paths (arrays as []) whose values differ from
// one run to the next, found by running the matrix twice: their presence
// and type are compared, never their value. A path matches its children.
func volatileValues() []string {
	return []string{
		"run_id", "records[].run_id", // new per run
		"wall_ms", "per_profile_ms", "records[].timings_ms", "records[].behavior.ready_ms", "records[].behavior.cpu_ms",
		"environments[].boot_ms", "records[].environment.boot_ms",
		"records[].behavior.port", "records[].behavior.command", // a free port per profile
		"records[].behavior.exposures[].sha256_prefix",                  // the markers' content names the run
		"records[].probes[].detail", "records[].probe_results[].detail", // PIDs, ports, scratch paths
		"records[].sandbox_diff",          // namespace inodes; which fields differ varies too
		"records[].behavior.journal_tail", // timestamps
	}
}

// A matrix run of the tutorial's unit is compared with the committed
// golden document: the set of JSON paths and their types always (a field
// added, dropped or retyped in JSON v1 fails here), and every value that
// is the same from run to run when the environment is the golden's.
// Regenerate the golden on purpose with -args -update.
var _ = Describe("JSON schema 1 of a matrix", Label("schema"), func() {
	It("has the golden document's fields, types and deterministic values", func(ctx SpecContext) {
		out := filepath.Join(GinkgoT().TempDir(), "matrix.json")
		_, stderr, code := hardenlab(ctx, "matrix", "--json", "--out", out, "fixtures/p3test-hardened.service")
		Expect(code).To(Equal(0), stderr)
		raw, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		now := normalized(raw)

		By("decoding the document into report.Matrix and encoding it again loses nothing")
		var m report.Matrix
		Expect(json.Unmarshal(raw, &m)).To(Succeed())
		again, err := json.Marshal(m)
		Expect(err).NotTo(HaveOccurred())
		Expect(valueDiff(flatten(now), flatten(normalized(again)), nil)).To(BeEmpty(), "the schema types drop or change these fields of the document they wrote")

		if *updateGolden {
			b, err := json.MarshalIndent(withVolatileZeroed(now), "", "  ")
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(goldenMatrix, append(b, '\n'), 0o644)).To(Succeed())
			AddReportEntry("golden", "rewrote "+goldenMatrix)
			return
		}
		b, err := os.ReadFile(goldenMatrix)
		Expect(err).NotTo(HaveOccurred(), "no golden document; make one with -args -update")
		golden := normalized(b)

		By("every profile of the tutorial unit serving, as in the golden")
		for _, r := range m.Records {
			Expect(r.Behavior.Outcome).To(BeEquivalentTo("serves"), "%s: %s %s; journal %v", r.Profile.Name, r.Behavior.ExitStatusName, r.Behavior.OutcomeDetail, r.Behavior.JournalTail)
		}

		By("comparing the JSON paths and their types with the golden")
		Expect(shapeDiff(shapeOf(golden), shapeOf(now))).To(BeEmpty(),
			"the document's paths differ from %s (-: golden only, +: this run only, ~: type changed)", goldenMatrix)

		By("comparing the deterministic values with the golden")
		if env := sameEnvironment(golden, now); env != "" {
			AddReportEntry("values not compared", env)
			return
		}
		Expect(valueDiff(flatten(golden), flatten(now), volatileValues())).To(BeEmpty(),
			"values differ from %s (golden -> this run)", goldenMatrix)
	}, NodeTimeout(5*time.Minute))
})

// normalized decodes a document and replaces its run id, wherever it
// appears (unit names, marker paths, nspawn arguments), by RUNID. What
// names the machine rather than the run is reduced to what enforcement
// depends on: the kernel release to its version (the build suffix
// changes from one machine of the same kind to the next) and the user
// namespace limit, which the kernel sizes by the machine's memory, to N.
func normalized(b []byte) any {
	var doc map[string]any
	Expect(json.Unmarshal(b, &doc)).To(Succeed())
	id, _ := doc["run_id"].(string)
	Expect(id).NotTo(BeEmpty(), "the document has no run_id")
	return mapStrings(doc, func(s string) string {
		s = strings.ReplaceAll(s, id, "RUNID")
		s = kernelRelease.ReplaceAllString(s, "$1")
		return userNamespaceLimit.ReplaceAllString(s, "${1}N")
	})
}

var (
	kernelRelease      = regexp.MustCompile(`^(\d+\.\d+\.\d+)-\S+$`)
	userNamespaceLimit = regexp.MustCompile(`(max_user_namespaces=)\d+`)
)

func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		for k, e := range x {
			x[k] = mapStrings(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = mapStrings(e, f)
		}
	}
	return v
}

// withVolatileZeroed keeps the golden free of values that mean nothing
// (timings, ports) while keeping their type.
func withVolatileZeroed(doc any) any {
	var walk func(path string, v any) any
	walk = func(path string, v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(joinPath(path, k), e)
			}
			return x
		case []any:
			for i, e := range x {
				x[i] = walk(path+"[]", e)
			}
			return x
		}
		if !matchesAny(path, volatileValues()) {
			return v
		}
		switch v.(type) {
		case string:
			return "VOLATILE"
		case float64:
			return 0.5 // not 0: the type stays visible to a reader
		}
		return v
	}
	return walk("", doc)
}

// shapeOf maps each path (arrays as []) to the JSON types found there.
func shapeOf(doc any) map[string]string {
	types := map[string]map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if types[path] == nil {
			types[path] = map[string]bool{}
		}
		types[path][jsonType(v)] = true
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(joinPath(path, k), e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		}
	}
	walk("", doc)
	shape := map[string]string{}
	for p, ts := range types {
		shape[p] = strings.Join(sortedSet(ts), "|")
	}
	return shape
}

func shapeDiff(golden, now map[string]string) []string {
	var diff []string
	for _, p := range unionKeys(golden, now) {
		g, inGolden := golden[p]
		n, inNow := now[p]
		switch {
		case !inNow:
			diff = append(diff, fmt.Sprintf("- %s (%s)", p, g))
		case !inGolden:
			diff = append(diff, fmt.Sprintf("+ %s (%s)", p, n))
		case g != n:
			diff = append(diff, fmt.Sprintf("~ %s: %s -> %s", p, g, n))
		}
	}
	return diff
}

// flatten maps each leaf to its value, under a path that names array
// elements by what they are about (a record by its profile, a probe by
// its id, an attribution by its directive) so that a diff reads as a
// sentence and does not shift with the order. Each leaf keeps its path
// with arrays as [], which volatileValues are written in.
func flatten(doc any) map[string]flatLeaf {
	leaves := map[string]flatLeaf{}
	var walk func(path, shape string, v any)
	walk = func(path, shape string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				leaves[path] = flatLeaf{shape, x}
			}
			for k, e := range x {
				walk(joinPath(path, k), joinPath(shape, k), e)
			}
		case []any:
			if len(x) == 0 {
				leaves[path] = flatLeaf{shape, x}
			}
			seen := map[string]bool{}
			for i, e := range x {
				key := elementKey(e, i)
				if seen[key] {
					key = fmt.Sprintf("%s#%d", key, i)
				}
				seen[key] = true
				walk(path+"["+key+"]", shape+"[]", e)
			}
		default:
			leaves[path] = flatLeaf{shape, v}
		}
	}
	walk("", "", doc)
	return leaves
}

type flatLeaf struct {
	shape string
	value any
}

func elementKey(e any, i int) string {
	obj, ok := e.(map[string]any)
	if !ok {
		return fmt.Sprint(i)
	}
	if p, ok := obj["profile"].(map[string]any); ok {
		if name, ok := p["name"].(string); ok {
			return name
		}
	}
	for _, field := range []string{"id", "directive", "field", "name"} {
		if s, ok := obj[field].(string); ok && s != "" {
			return s
		}
	}
	return fmt.Sprint(i)
}

// valueDiff lists the leaves whose values differ or that one side lacks
// (a record, a probe, an attribution), except under the volatile paths.
func valueDiff(golden, now map[string]flatLeaf, volatile []string) []string {
	var diff []string
	for _, p := range unionKeys(golden, now) {
		g, inGolden := golden[p]
		n, inNow := now[p]
		switch {
		case matchesAny(g.shape, volatile) || matchesAny(n.shape, volatile):
		case !inGolden:
			diff = append(diff, fmt.Sprintf("+ %s = %s", p, compactJSON(n.value)))
		case !inNow:
			diff = append(diff, fmt.Sprintf("- %s = %s", p, compactJSON(g.value)))
		case !reflect.DeepEqual(g.value, n.value):
			diff = append(diff, fmt.Sprintf("~ %s: %s -> %s", p, compactJSON(g.value), compactJSON(n.value)))
		}
	}
	return diff
}

// sameEnvironment says why values cannot be compared: another systemd,
// kernel or sandbox gives other scores and verdicts by design.
func sameEnvironment(golden, now any) string {
	envOf := func(doc any) map[string]any {
		envs, _ := doc.(map[string]any)["environments"].([]any)
		if len(envs) != 1 {
			return nil
		}
		e, _ := envs[0].(map[string]any)
		return e
	}
	g, n := envOf(golden), envOf(now)
	if g == nil || n == nil {
		return "not one environment on both sides: only paths and types were compared"
	}
	for _, k := range []string{"sandbox", "systemd_version", "kernel", "virtualization", "cgroup_mode"} {
		gv, nv := g[k], n[k] // normalized: a kernel by its version
		if gv != nv {
			return fmt.Sprintf("the environment's %s is %v, the golden's %v: only paths and types were compared", k, nv, gv)
		}
	}
	return ""
}

func matchesAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[]") {
			return true
		}
	}
	return false
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return sortedSet(set)
}
