"""The Kivy screens of the kiosk. Only composition roots import this package."""
