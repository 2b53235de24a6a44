"""The stages of the schedule normalizer (extractor/normalize/schedule.py runs them)."""
