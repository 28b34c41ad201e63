#!/usr/bin/env bash
# Provisions one hardenlab Vagrant machine and runs the README's commands
# there in host mode: systemd is PID 1 in the VM, so hardenlab uses it
# directly (--sandbox host makes that a requirement, not a fallback).
#
# The Vagrantfile runs this as root with the machine's row of
# harness/vagrant/machines.json in HARDENLAB_* variables. Safe to run again:
# packages and Go are installed only when missing, reports are overwritten.
#
# HARDENLAB_GUEST_DRY_RUN=1 prints every command instead of running it,
# assuming a fresh box; the Go tests in harness/vagrant use that to check
# that every machine runs what the README documents.
set -euo pipefail

machine=${HARDENLAB_MACHINE:?HARDENLAB_MACHINE is not set (run this through the Vagrantfile)}
package_manager=${HARDENLAB_PACKAGE_MANAGER:?}
packages=${HARDENLAB_PACKAGES:?}
runs_ci_setup=${HARDENLAB_RUNS_CI_SETUP:?}
go_source=${HARDENLAB_GO_SOURCE:?}
go_package=${HARDENLAB_GO_PACKAGE:?}
go_version=${HARDENLAB_GO_VERSION:?}
go_tarball_url=${HARDENLAB_GO_TARBALL_URL:-}
go_tarball_sha256=${HARDENLAB_GO_TARBALL_SHA256:-}
prebuilt=${HARDENLAB_PREBUILT:-no}
src=${HARDENLAB_SRC:-/vagrant}
dry_run=${HARDENLAB_GUEST_DRY_RUN:-}

out_rel="out/$machine"
out="$src/$out_rel"
# The tutorial's two units, as .ci/main runs them; "$@" there becomes these
# flags. The Go tests compare this with .ci/main itself.
run_flags="--sandbox host --json --out $out_rel/run.json"
tutorial_units="fixtures/p3test.service fixtures/p3test-hardened.service"

say() { printf 'hardenlab-vagrant[%s]: %s\n' "$machine" "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# run prints a command and runs it (unless dry-run).
run() {
	printf '+ %s\n' "$*"
	[[ -n $dry_run ]] && return 0
	bash -c "$*"
}

failed_steps=()
steps_json=()

# step runs one of the README's commands from the source tree, logs its
# output to $out/<name>.log and records its exit status and duration; a
# failing step does not stop the others, so every report that can be made
# is made and copied back.
step() {
	local name=$1 cmd=$2
	printf '+ %s\n' "$cmd"
	[[ -n $dry_run ]] && return 0
	local start=$SECONDS rc=0
	(cd "$src" && bash -c "$cmd") >"$out/$name.log" 2>&1 || rc=$?
	steps_json+=("$(printf '{"step":"%s","command":"%s","exit":%d,"seconds":%d}' \
		"$name" "$(json_escape "$cmd")" "$rc" $((SECONDS - start)))")
	if ((rc != 0)); then
		failed_steps+=("$name")
		say "step $name failed with exit status $rc; see $out_rel/$name.log"
	fi
}

json_escape() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '%s' "$s"
}

missing_packages() {
	local p
	for p in "$@"; do
		case $package_manager in
		apt) dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p" ;;
		dnf) rpm -q "$p" >/dev/null 2>&1 || echo "$p" ;;
		esac
	done
}

install_packages() {
	local want
	read -ra want <<<"$packages"
	if [[ $go_source == distro && $prebuilt != yes ]]; then
		want+=("$go_package")
	fi
	local need=("${want[@]}")
	if [[ -z $dry_run ]]; then
		mapfile -t need < <(missing_packages "${want[@]}")
	fi
	((${#need[@]})) || return 0
	case $package_manager in
	apt)
		# Cloud boxes run unattended-upgrades on first boot: wait for its
		# lock instead of failing.
		run "export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=600 update -qq"
		run "export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends ${need[*]}"
		;;
	dnf)
		run "dnf install -y -q ${need[*]}"
		;;
	*) die "unknown package manager $package_manager" ;;
	esac
}

# go_from_tarball installs the pinned official release into /usr/local/go
# (where .ci/setup and .ci/build look), verified against the pinned SHA-256.
go_from_tarball() {
	if [[ -z $dry_run && "$(/usr/local/go/bin/go env GOVERSION 2>/dev/null)" == "go$go_version" ]]; then
		return 0
	fi
	[[ -n $dry_run || "$(uname -m)" == x86_64 ]] ||
		die "the pinned Go tarball is for x86_64 only; install Go $go_version into /usr/local/go by hand"
	[[ -n $go_tarball_url && -n $go_tarball_sha256 ]] || die "no pinned Go tarball for this machine"
	local tarball=/var/tmp/hardenlab-go.tar.gz
	run "curl -fsSL -o $tarball $go_tarball_url"
	run "echo '$go_tarball_sha256  $tarball' | sha256sum -c --quiet"
	run "rm -rf /usr/local/go && tar -C /usr/local -xzf $tarball && rm -f $tarball"
}

# go_environment makes every go command in the steps use exactly go.mod's
# version. A distro Go older than that (1.21 or newer) downloads it as the
# golang.org/toolchain module, checked against sum.golang.org; Debian and
# Fedora set GOTOOLCHAIN=local (Fedora also GOSUMDB=off), hence the override.
go_environment() {
	export PATH=$PATH:/usr/local/go/bin
	export GOTOOLCHAIN="go$go_version"
	export GOPROXY=https://proxy.golang.org,direct
	export GOSUMDB=sum.golang.org
	export GOFLAGS=-buildvcs=false
	[[ -n $dry_run ]] && return 0
	local have
	have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null) || die "no go command after installing Go ($go_source)"
	case $have in
	go1.[0-9] | go1.[0-9].* | go1.1[0-9] | go1.1[0-9].* | go1.20 | go1.20.*)
		die "$have cannot switch toolchains (needs 1.21 or newer); use \"go\": \"tarball\" for $machine in machines.json"
		;;
	esac
}

write_machine_facts() {
	[[ -n $dry_run ]] && return 0
	local pretty systemd_version pid1
	# os-release(5): /etc/os-release, else /usr/lib/os-release.
	# shellcheck source=/dev/null
	pretty=$({ . /etc/os-release 2>/dev/null || . /usr/lib/os-release; } && printf '%s' "${PRETTY_NAME:-unknown}")
	systemd_version=$(systemctl --version | head -n1)
	pid1=$(cat /proc/1/comm)
	printf '{"machine":"%s","os":"%s","systemd":"%s","kernel":"%s","pid1":"%s","prebuilt":%s}\n' \
		"$machine" "$(json_escape "$pretty")" "$(json_escape "$systemd_version")" "$(uname -r)" "$pid1" \
		"$([[ $prebuilt == yes ]] && echo true || echo false)" >"$out/machine.json"
}

finish() {
	[[ -n $dry_run ]] && return 0
	local IFS=,
	printf '[%s]\n' "${steps_json[*]}" >"$out/steps.json"
	# The Vagrantfile copies what MANIFEST lists back to the host as the
	# unprivileged SSH user.
	local files
	files=$(cd "$out" && find . -type f ! -name MANIFEST -printf '%P\n' | sort)
	printf '%s\n' "$files" >"$out/MANIFEST"
	chmod -R a+rX "$out"
}

main() {
	if [[ -z $dry_run ]]; then
		[[ $EUID -eq 0 ]] || die "must run as root (the Vagrantfile's provisioner does)"
		[[ "$(cat /proc/1/comm)" == systemd ]] || die "PID 1 is not systemd; host mode needs it"
		[[ -f $src/go.mod ]] || die "$src does not hold the hardenlab sources (is the synced folder there?)"
		mkdir -p "$out"
		find "$out" -mindepth 1 -delete
	fi
	install_packages
	write_machine_facts

	if [[ $prebuilt == yes ]]; then
		# Binaries from the host's bin/ (built with CGO_ENABLED=0, see the
		# README); no Go, no tests.
		if [[ -z $dry_run ]]; then
			[[ -x $src/bin/hardenlab && -x $src/bin/hardenlab-probe ]] ||
				die "HARDENLAB_PREBUILT=yes but bin/hardenlab and bin/hardenlab-probe are not in the synced folder"
			"$src/bin/hardenlab" -h >/dev/null 2>&1 ||
				die "bin/hardenlab does not run here; build it static: CGO_ENABLED=0 go build -o bin/hardenlab ./cmd/hardenlab"
		fi
		step run "bin/hardenlab run $run_flags $tutorial_units"
	else
		case $go_source in
		tarball) go_from_tarball ;;
		distro) ;;
		*) die "unknown Go source $go_source" ;;
		esac
		go_environment
		if [[ $runs_ci_setup == yes ]]; then
			step test "bash .ci/setup && bash .ci/test"
			step run "bash .ci/main $run_flags"
		else
			# .ci/setup cannot install on this distro; install_packages did
			# its job, and the rest is .ci/main without it.
			step test "bash .ci/test"
			step run "bash .ci/build && bin/hardenlab run $run_flags $tutorial_units"
		fi
		if [[ -z $dry_run ]]; then
			for f in e2e-junit.xml e2e-report.json; do
				if [[ -f $src/out/$f ]]; then cp "$src/out/$f" "$out/$f"; fi
			done
		fi
	fi
	# The tutorial's single matrix: each directive of the hardened unit
	# alone, next to the control.
	step matrix "bin/hardenlab matrix --sandbox host --mode single --out $out_rel/matrix-single.json --markdown $out_rel/matrix-single.md --html $out_rel/matrix-single.html fixtures/p3test-hardened.service"
	finish
	# Failed steps do not fail provisioning: the Vagrantfile's trigger
	# fails the command only after it has copied the reports to the host.
	if ((${#failed_steps[@]})); then
		say "failed steps: ${failed_steps[*]} (reports are in $out_rel)"
	else
		say "done; reports are in $out_rel"
	fi
}

main "$@"
