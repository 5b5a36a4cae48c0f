"""`kiosk provision`: a field technician gives a kiosk its identity, its devices and its PIN.

The questions, their defaults and what each answer does are a flow (`flow.py`) that any front end
drives: the command's prompts today, the screen's technician mode later (docs/provisioning.md).
"""
