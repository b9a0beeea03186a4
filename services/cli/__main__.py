"""`python -m services.cli` is the `impactoost` command."""

from services.cli.main import run

run()
