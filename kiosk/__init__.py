"""The kiosk's core: records, services, storage and the command line. Never imports Kivy."""
