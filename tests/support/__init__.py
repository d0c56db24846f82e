"""Helpers the tests share: servers they start themselves."""
