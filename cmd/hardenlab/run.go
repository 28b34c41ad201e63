package main

import "context"

// cmdRun is being written; until then it says so and fails.
func cmdRun(ctx context.Context, args []string, io stdio) int {
	errorf(io, "run: not implemented yet")
	return exitError
}
