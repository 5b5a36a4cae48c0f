"""Voice guidance and its simulator."""
