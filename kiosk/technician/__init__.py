"""The field technician's side of the kiosk: the PIN that guards technician mode."""

from kiosk.technician.pin import PinFormatError, hash_pin, is_pin_hash, verify_pin

__all__ = ["PinFormatError", "hash_pin", "is_pin_hash", "verify_pin"]
