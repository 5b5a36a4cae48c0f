"""Resident ID card readers (serial SAM protocol) and their simulator."""
