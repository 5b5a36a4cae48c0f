"""A numbered choice at the terminal: the technician types a number, or a value of their own."""

from __future__ import annotations

import click

from kiosk.digits import ascii_digits


def choose(options: list[tuple[str, str]], default: str, free_text: str) -> str:
    """Show (value, label) options numbered from 1 and return the value chosen.

    A number picks an option; any other answer is taken as typed (`free_text` says what it may
    be: "a port path"), for a device detection cannot see.
    """
    for number, (_, label) in enumerate(options, 1):
        click.echo(f"  {number}) {label}")
    values = [value for value, _ in options]
    shown = str(values.index(default) + 1) if default in values else default
    answer = str(click.prompt(f"Choose 1-{len(options)}, or type {free_text}", default=shown)).strip()
    if ascii_digits(answer) and 1 <= int(answer) <= len(values):
        return values[int(answer) - 1]
    return answer
