"""Event schemas, subject names and stream definitions shared by every impactoost service.

Only pydantic and the standard library may be imported here: other regions' deployments
depend on this package to read our event streams.
"""
