"""Shared by every capability: the help/cancel base dialog, typed commands, the turn port."""
