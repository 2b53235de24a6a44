"""Normalization of cell texts: schedules and responsible parties."""
