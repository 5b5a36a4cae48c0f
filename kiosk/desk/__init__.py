"""The online services a resident does at the kiosk through the provincial platform."""
