package main

import "fmt"

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
