"""The staff workflow: commands over many plans (batch, export, validate, compare, debug)."""
