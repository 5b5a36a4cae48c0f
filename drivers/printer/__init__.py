"""Printers and their simulator."""
