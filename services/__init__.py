"""The impactoost services and their small shared runtime kit."""
