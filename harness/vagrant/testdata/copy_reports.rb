# Runs the Vagrantfile's Hardenlab.copy_reports (what the after-up trigger
# calls) against a guest that is a local directory, for the Go tests.
#
#   ruby copy_reports.rb VAGRANTFILE GUEST_OUT_DIR MACHINE HOST_ROOT
#
# Exit status: 0 copied; 3 copied but a step failed (message on stdout);
# 4 any other error (message on stdout).
require "vagrant"
require "fileutils"

vagrantfile, guest, name, host_root = ARGV
source = File.read(vagrantfile)
mod = source[/^module Hardenlab\b.*?^end$/m] or abort("no `module Hardenlab ... end` in #{vagrantfile}")
FileUtils.mkdir_p(File.join(host_root, "harness", "vagrant"))
FileUtils.cp(File.join(File.dirname(vagrantfile), "harness", "vagrant", "machines.json"),
             File.join(host_root, "harness", "vagrant"))
# Evaluated as if the Vagrantfile lived in HOST_ROOT, so reports land there.
eval(mod, binding, File.join(host_root, "Vagrantfile"))

class FakeUI
  def info(msg) = puts("info: #{msg}")
  def warn(msg) = puts("warn: #{msg}")
end

# FakeCommunicator maps the guest's out/<machine>/ to a local directory.
class FakeCommunicator
  def initialize(dir, name)
    @dir = dir
    @prefix = "#{Hardenlab::GUEST_SRC}/out/#{name}"
  end

  def local(path)
    raise "unexpected guest path #{path}" unless path.start_with?(@prefix)

    @dir + path.delete_prefix(@prefix)
  end

  def execute(command, _opts)
    path = local(command.delete_prefix("cat "))
    return 1 unless File.file?(path)

    yield :stdout, File.read(path)
    0
  end

  def download(from, to) = FileUtils.cp(local(from), to)
end

FakeMachine = Struct.new(:communicate, :ui)
begin
  Hardenlab.copy_reports(FakeMachine.new(FakeCommunicator.new(guest, name), FakeUI.new), name)
rescue Hardenlab::StepsFailed => e
  puts "steps failed: #{e.message}"
  exit 3
rescue StandardError => e
  puts "error: #{e.message}"
  exit 4
end
