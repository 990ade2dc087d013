"""Surgeries: staff publish advice sessions; professionals book, cancel and wait-list (issue 9)."""
