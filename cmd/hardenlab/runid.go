package main

import (
	"crypto/rand"
	"encoding/hex"
)

// newRunID names one hardenlab invocation: its units, container and
// directories all carry it, so that gc can tell runs apart.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
