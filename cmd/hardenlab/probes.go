package main

import "context"

// cmdProbes is being written; until then it says so and fails.
func cmdProbes(ctx context.Context, args []string, io stdio) int {
	errorf(io, "probes: not implemented yet")
	return exitError
}
