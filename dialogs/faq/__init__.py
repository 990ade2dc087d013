"""Ask "does the Virtual School do X?": the dialog, card handlers and the knowledge engine."""
