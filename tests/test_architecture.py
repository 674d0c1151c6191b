"""The architecture written in docs/architecture.md, held by the code: the import-linter contracts
of .importlinter, and no import cycle between modules of crm (grimp, which import-linter uses, reads
every import, those inside functions too)."""
import subprocess  # noqa: S404 - runs lint-imports from this virtualenv
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent

# Cycles that remain, each with what removes it (docs/architecture.md, "What is still to do"). The
# list only shrinks: a new cycle fails the suite, and so does one that is gone but still listed.
KNOWN_CYCLES = []


def import_cycles(package: str) -> list[set[str]]:
    """The strongly connected groups of modules (Tarjan's algorithm) larger than one module."""
    graph = grimp.build_graph(package)
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_but_the_known_ones():
    assert sorted(map(sorted, import_cycles("crm"))) == sorted(map(sorted, KNOWN_CYCLES))


def test_the_import_linter_contracts_are_kept():
    command = [str(Path(sys.executable).parent / "lint-imports"), "--config", ".importlinter", "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
