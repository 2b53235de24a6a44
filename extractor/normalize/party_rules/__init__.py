"""The stages of the responsible-party normalizer (extractor/normalize/parties.py runs them)."""
