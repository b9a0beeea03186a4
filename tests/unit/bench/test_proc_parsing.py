"""Reading /proc and machine facts: resident memory, parents, CPU and RAM."""

from __future__ import annotations

import pytest

from services.bench.machine import cpu_model, mem_total_mb
from services.bench.memory import ProcessMemory, parent_pid, process_label, total_mb, vm_rss_kb

pytestmark = pytest.mark.unit

STATUS = "Name:\tpython\nVmPeak:\t  200000 kB\nVmRSS:\t   96512 kB\nThreads:\t4\n"


def test_resident_memory_is_read_from_vmrss() -> None:
    assert vm_rss_kb(STATUS) == 96512


def test_a_process_without_vmrss_holds_no_memory() -> None:
    assert vm_rss_kb("Name:\tzombie\nState:\tZ (zombie)\n") == 0


def test_parent_pid_is_found_after_a_command_name_with_spaces_and_parentheses() -> None:
    assert parent_pid("4242 (odd (name) here) S 17 4242 4242 0 -1") == 17


@pytest.mark.parametrize(
    ("cmdline", "label"),
    [
        (["/venv/bin/python", "-m", "services.cli", "serve", "registry"], "registry"),
        (["/venv/bin/nats-server", "-js", "-p", "4222"], "nats-server"),
        (["/venv/bin/python", "-m", "services.cli", "demo"], "launcher (demo sites, mail sink)"),
        (["/usr/bin/sleep", "1"], "sleep"),
    ],
)
def test_platform_processes_are_named_by_what_they_run(cmdline: list[str], label: str) -> None:
    assert process_label(cmdline) == label


def test_tree_memory_is_summed_over_its_processes() -> None:
    processes = [ProcessMemory(1, "launcher", 50.0), ProcessMemory(2, "registry", 95.5)]

    assert total_mb(processes) == 145.5


def test_cpu_model_and_memory_come_from_proc_text() -> None:
    cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n"

    assert cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert cpu_model("") == "unknown"
    assert mem_total_mb("MemTotal:       24683520 kB\nMemFree: 1 kB\n") == 24105
