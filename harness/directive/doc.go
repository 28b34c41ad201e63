// Package directive turns systemd hardening directives, written in a unit
// file or as "Name=value" on the command line, into typed Settings and into
// the properties of a transient service (StartTransientUnit over D-Bus).
//
// The flow is ParseFile (or ParseAssignment) -> Resolve -> Properties, and
// after the unit is running, CheckReadback compares what systemd stored
// with what was meant.
//
// Resolve merges repeated lines the way systemd 252's unit-file parser does
// (load-fragment.c): empty assignments reset, "~" negates, capability and
// namespace lists merge into one bitmask (PID 1 takes the last value over
// D-Bus, so the merge must happen here), SystemCallFilter= lines after the
// last reset are kept as written for PID 1 to resolve. Where systemd would
// log a warning and ignore a value (an unknown capability, a bad prefix),
// hardenlab refuses it: a profile must mean exactly what it says before
// anything is started. Parsing does not depend on the systemd release:
// what only some releases take (Spec.Since; a system call name only a
// newer release's libseccomp resolves, NewerSyscalls) is accepted here
// and refused where the release under test is known.
//
// The directive table (Specs) drives everything for the security
// directives: parsing, property rendering, readback comparison and the
// help text. Each security directive is one descriptor, a row of the
// security_<area>.go file of its area (Spec.Area; Descriptors, Security):
// how it merges, what it sends and reads back, and, when no probe can
// evidence it, why (Spec.NoProbe). The descriptors stay in this package
// because their parsers and renderers work on the resolver's state and
// the Settings fields directly. What PID 1 implies on its own is one
// function, Settings.Effective, since those rules cross directives. The
// score rows that read a directive (harness/score) and the probes that
// claim it (probes.Registry) say so themselves; the score package's tests
// check the three against each other. Every other key systemd 252 or 257 knows (keys_252.go and
// keys_257.go, generated from each release's own
// --dump-configuration-items) is either a row of the plain table
// (plain.go: one typed converter per kind of value, following systemd's
// client-side bus-unit-util.c) or a Note saying why it is not sent.
package directive
