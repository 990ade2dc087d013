"""Referrals to the inclusion team: the form dialog, card handlers, the service (rules, transactions)."""
