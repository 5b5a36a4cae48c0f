"""`kiosk provision`: a field technician gives a kiosk its identity, its devices and its PIN."""
