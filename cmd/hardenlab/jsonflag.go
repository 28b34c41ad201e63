package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// jsonFlag is --json as systemd-analyze spells it: alone or =pretty for
// indented JSON, =short for one compact line, =off (or false) for text.
type jsonFlag string

func (j *jsonFlag) String() string { return string(*j) }

// IsBoolFlag lets "--json" stand alone.
func (j *jsonFlag) IsBoolFlag() bool { return true }

func (j *jsonFlag) Set(v string) error {
	switch v {
	case "true", "pretty":
		*j = "pretty"
	case "short":
		*j = "short"
	case "false", "off":
		*j = ""
	default:
		return fmt.Errorf("want pretty, short or off, not %q", v)
	}
	return nil
}

func (j *jsonFlag) on() bool { return *j != "" }

// writeJSONArray prints v's elements as one JSON array: indented for pretty;
// for short, element by element (the same bytes as one json.Marshal of
// the slice, without building the whole array in memory first).
func writeJSONArray[T any](w io.Writer, j jsonFlag, v []T) error {
	if j == "pretty" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if v == nil {
		_, err := io.WriteString(w, "null\n")
		return err
	}
	bw := bufio.NewWriterSize(w, 64*1024)
	sep := "["
	for _, e := range v {
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		bw.WriteString(sep)
		bw.Write(data)
		sep = ","
	}
	if sep == "[" {
		bw.WriteString("[")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
