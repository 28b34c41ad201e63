package main

import "context"

// cmdSandbox is being written; until then it says so and fails.
func cmdSandbox(ctx context.Context, args []string, io stdio) int {
	errorf(io, "sandbox: not implemented yet")
	return exitError
}
