"""The provincial government platform, as the kiosk transacts through its gateway (docs/platform.md)."""
