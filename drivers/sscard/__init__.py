"""Social security card readers (PC/SC) and their simulator."""
