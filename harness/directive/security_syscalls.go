package directive

// syscallsSpecs are the descriptors of the system calls and ABIs the service
// may use.
func syscallsSpecs() []Spec {
	return inArea("syscalls",
		systemCallFilterSpec().since(235),
		systemCallErrorNumberSpec().since(235),
		systemCallArchitecturesSpec().since(235),
	)
}
