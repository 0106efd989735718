"""Helpers shared by the test files (`from .support.convert import convert`)."""
