"""The `impactoost` command line: thin entry points over each service's composition root."""
