"""`impactoost bench`: the platform's benchmarks, each against a baseline taken in the same run.

Every benchmark starts real processes (nats-server, PostgreSQL, the services as
`impactoost serve …`) in a temporary folder; nothing here is part of the test suite.
"""
