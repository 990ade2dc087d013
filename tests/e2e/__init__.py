"""End-to-end tier: the real bot (`vsbot serve`) behind the Microsoft 365 Agents Playground, driven through
the Playground's own HTTP + WebSocket API and through its web page in Debian's Chromium. Run with `make e2e`."""
