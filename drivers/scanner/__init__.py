"""QR and barcode scanners and their simulator."""
