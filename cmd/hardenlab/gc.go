package main

import "context"

// cmdGC is being written; until then it says so and fails.
func cmdGC(ctx context.Context, args []string, io stdio) int {
	errorf(io, "gc: not implemented yet")
	return exitError
}
