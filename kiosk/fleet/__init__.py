"""The live fleet channel (MQTT): presence, reported state, telemetry, events and signed commands.

The forms on the wire and how to run the channel: docs/fleet.md.
"""
