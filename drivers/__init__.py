"""Hardware adapters for the kiosk's ports, each with a simulator. Never imports Kivy."""
