"""The local demo: stand-in registries and (later) the orchestrator that runs everything."""
