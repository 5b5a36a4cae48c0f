"""The administrators' console: one web page for the whole fleet.

A separate program from the kiosk (`kiosk-console`): it follows every kiosk on the fleet channel
(MQTT), keeps the fleet's state in a database (SQLite on one machine, PostgreSQL past it), issues
signed commands, and publishes catalogues and configuration through the fleet's TUF repository. The
kiosk never imports it.
"""
