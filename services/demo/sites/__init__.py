"""Local stand-ins for the label registries' websites, served from data for the demo and tests."""
