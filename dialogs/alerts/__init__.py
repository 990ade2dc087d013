"""Alerts: PEP nudges, attendance alerts and the managers' weekly digest (issue 10)."""
