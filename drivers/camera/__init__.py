"""The face camera (one live picture for the platform to compare) and its simulator."""
