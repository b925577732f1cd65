"""Starts, watches and stops the product's processes (the run command and the test stack)."""
