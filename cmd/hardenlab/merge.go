package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/hardenlab/hardenlab/harness/sweep"
)

const mergeUsage = `Usage: hardenlab merge --out FILE SHARD.json...

Joins the documents of a sharded sweep (hardenlab sweep --shard I/N --out
SHARD.json, one per CI job) into the document of the whole sweep: every
shard of the same set and split must be given once and be complete. The
result is what the unsharded sweep writes, timings aside, and takes the
same --sarif, --junit and --json outputs.

Examples:
  hardenlab sweep --units units/ --shard 1/2 --out shard1.json
  hardenlab sweep --units units/ --shard 2/2 --out shard2.json
  hardenlab merge --out sweep.json --html sweep.html shard1.json shard2.json

Exit status: 0 merged; 2 bad usage, a file that is not a sweep document,
or shards that do not make one whole sweep; 3 an output could not be
written.

Flags:
`

func cmdMerge(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var f sweepFlags
	fs.StringVar(&f.out, "out", "", "write the merged sweep document here")
	fs.BoolVar(&f.asJSON, "json", false, "print the merged document instead of the table")
	fs.StringVar(&f.html, "html", "", "write the merged sweep as a self-contained HTML page")
	f.gate.register(fs)
	fs.Usage = func() {
		fmt.Fprint(io.err, mergeUsage)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	if fs.NArg() == 0 {
		errorf(io, "merge needs the shards' sweep documents")
		return exitUsage
	}
	var docs []sweep.Document
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			errorf(io, "%v", err)
			return exitUsage
		}
		var d sweep.Document
		if err := json.Unmarshal(data, &d); err != nil {
			errorf(io, "%s: not a sweep document: %v", path, err)
			return exitUsage
		}
		docs = append(docs, d)
	}
	merged, err := sweep.Merge(docs)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	return writeSweepOutputs(f, merged, io)
}
